#!/usr/bin/env bash
# Until Kiln's first release the schema is one migration per provider, InitialSchema, made anew
# from the model whenever an entity changes. After the first release, add migrations instead
# (docs/operations.md, "Migrations").
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export PATH="$PATH:$HOME/.dotnet/tools"
command -v dotnet-ef >/dev/null || dotnet tool install --global dotnet-ef --version 10.0.11
for provider in Sqlite Postgres; do
  rm -f "src/Kiln.Data.$provider/Migrations/"*.cs
  dotnet ef migrations add InitialSchema --project "src/Kiln.Data.$provider" \
    --startup-project tools/Kiln.Data.Design --output-dir Migrations -- --provider "$provider"
done
rm -f tools/Kiln.Data.Design/design.db*

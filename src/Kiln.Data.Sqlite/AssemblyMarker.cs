namespace Kiln.Data.Sqlite;

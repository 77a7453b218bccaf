namespace Kiln.Core;

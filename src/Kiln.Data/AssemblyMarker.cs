namespace Kiln.Data;

namespace Kiln.Server;

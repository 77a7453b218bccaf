namespace Kiln.Contracts;

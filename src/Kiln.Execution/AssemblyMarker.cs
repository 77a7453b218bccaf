namespace Kiln.Execution;

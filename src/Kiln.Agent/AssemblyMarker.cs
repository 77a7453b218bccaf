namespace Kiln.Agent;

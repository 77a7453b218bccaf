namespace Kiln.Contracts.Api;

/// <summary>Body of <c>POST /api/v1/validate</c>: a pipeline's YAML, and the name to report problems under.</summary>
public sealed record ValidateRequest(string? Pipeline, string? FileName);

/// <summary>
/// Every problem found, each with where it is and, when Kiln can guess, a hint. <see cref="Warnings"/>
/// are likely mistakes that do not make the pipeline invalid (a command cut short by a YAML comment).
/// </summary>
public sealed record ValidateResponse(bool Valid, IReadOnlyList<ValidationProblem> Errors, IReadOnlyList<ValidationProblem> Warnings, IReadOnlyList<string> Jobs);

public sealed record ValidationProblem(string File, int Line, int Column, string Message, string? Key, string? Hint);

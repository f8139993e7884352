// Secrets in log lines never reach a report. Applied to every text that leaves hindsight
// (evidence, examples, templates) in every output format. Patterns err on the side of redacting.
const RULES: ReadonlyArray<[RegExp, string]> = [
  // Passwords in connection URLs: postgres://user:secret@host → postgres://user:[REDACTED]@host
  [/\b([a-z][a-z0-9+.\-]*:\/\/[^\s:/@]*:)[^\s@/]+@/gi, '$1[REDACTED]@'],
  // Bearer / Basic tokens in headers.
  [/\b(Bearer|Basic|Token)\s+[A-Za-z0-9._~+/\-]+=*/g, '$1 [REDACTED]'],
  // JWTs.
  [/\beyJ[A-Za-z0-9_\-]{5,}\.[A-Za-z0-9_\-]{5,}\.[A-Za-z0-9_\-]{5,}\b/g, '[REDACTED-JWT]'],
  // key=value and "key": "value" with secret-looking keys.
  [/\b((?:[\w-]*(?:password|passwd|pwd|secret|token|api[_-]?key|apikey|access[_-]?key|private[_-]?key|client[_-]?secret|auth|credential|session[_-]?id|cookie)[\w-]*)\s*[=:]\s*)("?)[^\s",;&}]+\2/gi, '$1$2[REDACTED]$2'],
  [/("(?:[\w-]*(?:password|passwd|secret|token|api[_-]?key|apikey|authorization|credential)[\w-]*)"\s*:\s*")[^"]*"/gi, '$1[REDACTED]"'],
  // Well-known key shapes: AWS, GitHub, Slack, Stripe, OpenAI/Anthropic style, Google.
  [/\b(AKIA|ASIA)[A-Z0-9]{16}\b/g, '[REDACTED-KEY]'],
  [/\bgh[pousr]_[A-Za-z0-9]{30,}\b/g, '[REDACTED-KEY]'],
  [/\bxox[abprs]-[A-Za-z0-9-]{10,}\b/g, '[REDACTED-KEY]'],
  [/\b(?:sk|pk|rk)_(?:live|test)_[A-Za-z0-9]{10,}\b/g, '[REDACTED-KEY]'],
  [/\bsk-[A-Za-z0-9_\-]{20,}\b/g, '[REDACTED-KEY]'],
  [/\bAIza[0-9A-Za-z_\-]{35}\b/g, '[REDACTED-KEY]'],
];

/** The text with secrets replaced by `[REDACTED]` markers. */
export function redact(text: string): string {
  let out = text;
  for (const [re, rep] of RULES) {
    re.lastIndex = 0;
    out = out.replace(re, rep);
  }
  return out;
}

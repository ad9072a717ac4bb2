/**
 * Paths pino censors in every log line. Request logs only carry method, url,
 * status and timing, but errors and third-party objects can carry headers or
 * bodies, so the usual suspects are censored wherever they appear.
 */
export const logRedactPaths = [
  "req.headers.authorization",
  "req.headers.cookie",
  "headers.authorization",
  "headers.cookie",
  'headers["set-cookie"]',
  "res.headers['set-cookie']",
  "*.password",
  "*.newPassword",
  "*.currentPassword",
  "*.token",
  "*.accessToken",
  "*.refreshToken",
  "*.idToken",
  "*.secret",
  "*.authorization",
  "*.cookie",
  "password",
  "token",
  "secret",
  "authorization",
  "cookie",
];

const secretQueryParams = /([?&](?:token|access_token|code|password|secret)=)[^&#]*/gi;

/** The URL as logged: credentials that clients sometimes put in query strings are censored. */
export function loggableUrl(url: string): string {
  return url.replace(secretQueryParams, "$1[redacted]");
}

/**
 * Whether log lines are for a person (pino-pretty) rather than a collector
 * (JSON lines): `LOG_FORMAT=auto` means readable in development at a terminal.
 */
export function wantsPrettyLogs(config: { logFormat: "auto" | "json" | "pretty"; env: string }, stdoutIsTerminal: boolean): boolean {
  if (config.logFormat !== "auto") return config.logFormat === "pretty";
  return config.env === "development" && stdoutIsTerminal;
}

/** A pino destination that writes readable lines to `destination` (stdout by default). */
export async function prettyLogStream(options: { colorize: boolean; destination?: NodeJS.WritableStream }) {
  const { default: pinoPretty } = await import("pino-pretty");
  return pinoPretty({
    colorize: options.colorize,
    translateTime: "SYS:HH:MM:ss.l",
    ignore: "pid,hostname",
    ...(options.destination ? { destination: options.destination, sync: true } : {}),
  });
}

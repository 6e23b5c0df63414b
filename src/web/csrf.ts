// CSRF protection for console forms (csrf-csrf, double-submit cookie bound to the session).
import type { Request } from 'express';
import { doubleCsrf } from 'csrf-csrf';
import { sessionToken } from './middleware/auth.js';

export function createCsrf(options: { secret: string; secureCookies: boolean }) {
  return doubleCsrf({
    getSecret: () => options.secret,
    // Bound to the signed-in session; before sign-in, to no session (the sign-in form itself).
    getSessionIdentifier: (req: Request) => sessionToken(req) ?? '',
    cookieName: options.secureCookies ? '__Host-pb_csrf' : 'pb_csrf',
    cookieOptions: { sameSite: 'strict', path: '/', secure: options.secureCookies, httpOnly: true },
    getCsrfTokenFromRequest: (req: Request) => (req.body as { _csrf?: unknown } | undefined)?._csrf as string | undefined,
  });
}

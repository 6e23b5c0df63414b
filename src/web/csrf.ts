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
    // Forms send the token in their body; the upload form, whose multipart body is read only after
    // sign-in, role and this check, sends it in its action URL.
    getCsrfTokenFromRequest: (req: Request) => {
      const token = (req.body as { _csrf?: unknown } | undefined)?._csrf ?? req.query._csrf;
      return typeof token === 'string' ? token : undefined;
    },
  });
}

/**
 * Signing in to the image browser over plain HTTP, as a person's browser would with the
 * link `browse` answered: the link's token POSTed to `/signin`, the session cookie kept.
 * For the tests and benchmarks that talk to the browser without Chromium.
 */

/** The browser's address and a session cookie, from the text of a `browse` reply. */
export async function signInOverHttp(browseReply: string): Promise<{ url: URL; cookie: string }> {
  const found = /(http:\/\/\S+)/u.exec(browseReply);
  if (found === null) throw new Error(`no sign-in link in: ${browseReply}`);
  const url = new URL(found[1]!);
  const response = await fetch(new URL('/signin', url), {
    method: 'POST',
    body: new URLSearchParams({ t: url.searchParams.get('t') ?? '' }),
    redirect: 'manual',
  });
  const cookie = response.headers.get('set-cookie');
  if (cookie === null) throw new Error(`sign-in refused (${response.status})`);
  return { url, cookie: cookie.split(';')[0]! };
}

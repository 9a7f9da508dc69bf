// What the browser benchmarks share: a faircrowd server, chromium and the page of a signed-in
// requester (bench/wand.mjs, bench/wand-trace.mjs). close() stops both.
import { startServer, apiSession, launch, signInPage, ADMIN } from '../tests/e2e/lib.mjs';

const BENCH = { email: 'bench@example.com', password: 'bench-pass-1' };

export async function benchPage(viewport = { width: 1600, height: 1000 }) {
  const server = await startServer();
  const browser = await launch();
  const close = async () => {
    await browser.close();
    await server.stop();
  };
  try {
    const admin = await apiSession(server.url, ADMIN.email, ADMIN.password);
    await admin.call('POST', '/users', { ...BENCH, display_name: 'Bench', roles: ['requester'] });
    const page = await signInPage(browser, server, BENCH, viewport, []);
    return { page, browser, close };
  } catch (e) {
    await close();
    throw e;
  }
}

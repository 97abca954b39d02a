// Imported first (as a side effect) by API tests that run the real worker: the API and the activities then
// share one cluster store in a scratch ZKE_HOME, set before common/config.ts reads the environment.
import { tempDir } from '../support/tempDir.ts';

if (!process.env.ZKE_HOME) {
  const home = tempDir('zke-api-home');
  process.env.ZKE_HOME = home;
}

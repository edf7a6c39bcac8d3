// Real-browser tests: Debian's Chromium through playwright-core. A separate entry because importing it
// checks that Chromium is installed (and, under CI=true, fails when it is not).
export { CHROMIUM_PATH, DESKTOP, PHONE, describeInBrowser, launchChromium, loopbackContext } from './launch.js';
export { capturedRedirect, chatgptClient, redeem, signIn, type PendingAuthorization } from './flow.js';

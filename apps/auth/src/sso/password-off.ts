/** What the sign-in pages say to a password form posted while PASSWORD_SIGN_IN=false. */
export const PASSWORD_SIGN_IN_OFF = 'Signing in with a password is turned off here. Use one of the options above.';

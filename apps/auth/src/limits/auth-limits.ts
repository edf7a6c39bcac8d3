import type { BackoffRule, LimitRule } from '@omnichat/limits';

type Rate = { max: number; windowSeconds: number };

/** The abuse limits of the authorization server (docs/security.md AS-45, REL-3, REL-8), from LIMIT_* settings. */
export type AuthLimits = {
  /** Every POST /register per client IP, before the body is read: a ceiling (AS-45). */
  registerPerIp: LimitRule;
  /** Registrations per caller: IP, client software and redirect hosts (AS-45). */
  registerPerCaller: LimitRule;
  /** POST /register from everyone together: bounds table growth whatever the IP spread (AS-45). */
  registerGlobal: LimitRule;
  /** CIMD document fetches per document host (AS-52). */
  cimdPerHost: LimitRule;
  /** Token requests per authenticated client. */
  tokenPerClient: LimitRule;
  /** Sign-in failures per account, with backoff (AS-53). */
  loginAccount: BackoffRule;
  /** Sign-in failures per client IP, with backoff (AS-53). */
  loginIp: BackoffRule;
};

export const DEFAULT_LIMITS = {
  // ChatGPT and Claude register one client per connection (Claude one or two) from shared egress
  // addresses: the per-caller cap (IP + client software + redirect hosts) is what one client
  // software behind an address gets; the per-IP cap is a ceiling over all of them; the global cap
  // bounds table growth.
  LIMIT_REGISTER_PER_IP: '1000/600',
  LIMIT_REGISTER_PER_CALLER: '100/600',
  LIMIT_REGISTER_GLOBAL: '2000/3600',
  LIMIT_CIMD_PER_HOST: '60/60',
  // A CIMD client_id (ChatGPT's) is one client for all of its users: generous per client.
  LIMIT_TOKEN_PER_CLIENT: '3000/60',
  LIMIT_LOGIN_PER_ACCOUNT: '5/900',
  LIMIT_LOGIN_PER_IP: '30/900',
} as const;

/** The LIMIT_* variables, each already parsed (config.ts parses them once, at boot). */
export type LimitSettings = Record<keyof typeof DEFAULT_LIMITS, Rate>;

/** Longest hold a run of failures can impose; short enough that nobody is locked out for long. */
const LOGIN_ACCOUNT_MAX_DELAY_SECONDS = 300;
const LOGIN_IP_MAX_DELAY_SECONDS = 900;

export function authLimits(settings: LimitSettings): AuthLimits {
  const rule = (name: string, rate: Rate): LimitRule => ({ name, ...rate });
  const backoff = (name: string, { max, windowSeconds }: Rate, maxDelaySeconds: number): BackoffRule => ({ name, freeFailures: max, windowSeconds, maxDelaySeconds });
  return {
    registerPerIp: rule('register-ip', settings.LIMIT_REGISTER_PER_IP),
    registerPerCaller: rule('register-caller', settings.LIMIT_REGISTER_PER_CALLER),
    registerGlobal: rule('register-all', settings.LIMIT_REGISTER_GLOBAL),
    cimdPerHost: rule('cimd-host', settings.LIMIT_CIMD_PER_HOST),
    tokenPerClient: rule('token-client', settings.LIMIT_TOKEN_PER_CLIENT),
    loginAccount: backoff('login-account', settings.LIMIT_LOGIN_PER_ACCOUNT, LOGIN_ACCOUNT_MAX_DELAY_SECONDS),
    loginIp: backoff('login-ip', settings.LIMIT_LOGIN_PER_IP, LOGIN_IP_MAX_DELAY_SECONDS),
  };
}

import type { Region } from '../workspaceTypes';

export type { Region };

const API_HOSTS: Record<Region, string> = {
  us: 'https://api.intercom.io',
  eu: 'https://api.eu.intercom.io',
  au: 'https://api.au.intercom.io',
};

const APP_HOSTS: Record<Region, string> = {
  us: 'https://app.intercom.com',
  eu: 'https://app.eu.intercom.com',
  au: 'https://app.au.intercom.com',
};

function trimSlash(url: string): string {
  return url.endsWith('/') ? url.replace(/\/+$/, '') : url;
}

/** The REST API origin of a region; `override` (tests, simulator) wins. No trailing slash. */
export function apiBaseUrl(region: Region, override?: string): string {
  return override ? trimSlash(override) : API_HOSTS[region];
}

/** The web app / OAuth consent origin of a region; `override` wins. No trailing slash. */
export function appBaseUrl(region: Region, override?: string): string {
  return override ? trimSlash(override) : APP_HOSTS[region];
}

/** Maps what `/me` says in `app.region` ('US', 'Europe', 'Australia', 'eu', 'EU-West', …) to a Region; unknown ⇒ 'us'. */
export function regionFromMe(region: string | null | undefined): Region {
  const r = (region ?? '').trim().toLowerCase();
  if (!r) return 'us';
  if (r === 'eu' || r.startsWith('eu-') || r.startsWith('eu_') || r.startsWith('europe') || r === 'ie' || r === 'ireland') return 'eu';
  if (r === 'au' || r.startsWith('au-') || r.startsWith('au_') || r.startsWith('australia') || r.startsWith('ap-southeast-2')) return 'au';
  return 'us';
}

/** The Intercom REST API version every request pins (header `Intercom-Version`); schemas.ts models this version. */
export const INTERCOM_VERSION = '2.14';

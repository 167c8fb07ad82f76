declare const __APP_VERSION__: string | undefined;

/** The app's version and the commit it was built from (vite.config.ts), printed on reports and in exports
 * beside the models' hashes; "dev" where no build defined it (unit tests). */
export const APP_VERSION: string = typeof __APP_VERSION__ === 'string' ? __APP_VERSION__ : 'dev';

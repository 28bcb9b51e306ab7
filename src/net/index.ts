// The net module's public surface: other modules import from here only.
export { freePort } from './free-port.ts';

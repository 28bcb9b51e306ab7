// `/cancel` half-way through every guided conversation declared with the flow engine, on
// the Matrix test homeserver (a real matrix-js-sdk member in an encrypted DM, numbered choices). The stories: tests/support/flow-cancel-stories.ts.
import { cancellingHalfWayOn } from './support/flow-cancel-stories.ts';

cancellingHalfWayOn('matrix');

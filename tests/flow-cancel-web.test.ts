// `/cancel` half-way through every guided conversation declared with the flow engine, on
// the web console (its HTTP API and its event stream). The stories: tests/support/flow-cancel-stories.ts.
import { cancellingHalfWayOn } from './support/flow-cancel-stories.ts';

cancellingHalfWayOn('web');

// `/cancel` half-way through every guided conversation declared with the flow engine, on
// the Telegram Bot API emulator. The stories: tests/support/flow-cancel-stories.ts.
import { cancellingHalfWayOn } from './support/flow-cancel-stories.ts';

cancellingHalfWayOn('telegram');

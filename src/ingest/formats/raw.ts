// Every line is a bare message: no timestamp, no prefix. Forced with `--input-format raw`; also
// what an empty input is read as. This is how the template miner is measured. A message that
// announces its level in a logging convention (log-conventions.ts) gets it; any other is info.
import type { InputFormat } from '../format.js';
import { withoutTerminalCodes } from '../terminal-codes.js';
import { levelCueOf } from '../level.js';

export const raw: InputFormat = {
  id: 'raw',
  title: 'Bare messages, one a line',
  recognisedBy: 'never sniffed: only with --input-format raw',
  example: 'Receiving block blk_-1608999687919862906 src: /10.250.19.102:54106 dest: /10.250.19.102:50010',
  sniff() {
    return { score: 0, reason: 'raw is never chosen by sniffing' };
  },
  create({ sink, service, input }) {
    return {
      line(text, lineNo) {
        const message = withoutTerminalCodes(text);
        const cue = levelCueOf(message);
        sink.event({ ts: null, service, source: 'app', level: cue ?? 'info', levelText: cue ?? '', message, input, line: lineNo }, 1);
      },
      end() {},
    };
  },
};

// Every line is a bare message: no timestamp, no prefix. Forced with `--input-format raw`; also
// what an empty input is read as. This is how the template miner is measured.
import type { InputFormat } from '../format.js';
import { withoutTerminalCodes } from '../terminal-codes.js';

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
        sink.event({ ts: null, service, source: 'app', level: 'info', levelText: '', message: withoutTerminalCodes(text), input, line: lineNo }, 1);
      },
      end() {},
    };
  },
};

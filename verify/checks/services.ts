// Hop 1: the three services accept connections and answer GET / (which makes one trace each: fine).
import type { Check } from '../check.ts';
import { logsOf } from '../check.ts';
import { formatNumber } from '../format.ts';
import { getText, tcpConnect } from '../http.ts';
import type { AppService } from '../lab.ts';
import { APP_SERVICES } from '../lab.ts';

export function serviceCheck(name: AppService): Check {
  return {
    id: `services.${name}`,
    component: 'services',
    title: `${name} answers`,
    run: async (ctx) => {
      const base = new URL(ctx.urls.apps[name]);
      await tcpConnect(base.hostname, Number(base.port));
      const url = new URL('/', base).toString();
      const answer = await getText(url, { acceptStatus: () => true });
      const figure = `GET ${url} → ${String(answer.status)} in ${formatNumber(Math.round(answer.ms))} ms`;
      if (answer.status === 200) return { ok: true, figure };
      return { ok: false, figure, hint: `GET / must answer 200: ${logsOf(ctx, name)}` };
    },
  };
}

export const serviceChecks: Check[] = APP_SERVICES.map(serviceCheck);

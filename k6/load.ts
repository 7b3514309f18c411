// The lab's load: every endpoint of every service in a loop, then a pause (k6 runs TypeScript natively).
// Virtual users and duration come from k6's own K6_VUS / K6_DURATION (defaults in .env), targets from TARGETS,
// the pause from PAUSE_SECONDS. The plan itself lives in plan.ts, shared with the native lab's Node driver.
import { check, sleep } from 'k6';
import exec from 'k6/execution';
import http from 'k6/http';

import { parsePauseSeconds, parseTargets, planLoop } from './plan.ts';

const targets = parseTargets(__ENV.TARGETS);
const pauseSeconds = parsePauseSeconds(__ENV.PAUSE_SECONDS);

export default function (): void {
  for (const request of planLoop(targets, exec.scenario.iterationInTest)) {
    const response = http.get(request.url, {
      // Group k6's own metrics by route, not by URL (the /items ids change every loop).
      tags: { name: request.name, service: request.service },
      // 4xx/5xx that a route answers by design are not failed requests in k6's http_req_failed.
      responseCallback: http.expectedStatuses(...request.expectedStatuses),
    });
    check(response, {
      [`${request.name} answers ${request.expectedStatuses.join('/')}`]: (r) =>
        request.expectedStatuses.includes(r.status),
    });
  }
  sleep(pauseSeconds);
}

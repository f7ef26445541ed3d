import type { HttpResponse, RequestSpec, VirtualUser } from '../../src/engine/types.js';

/**
 * A virtual user that records the requests plan code sends and answers with
 * canned responses. Only for testing the plan side (template rendering,
 * captures, request choice); engine tests use real servers.
 */
export function recordingVU(respond: (spec: RequestSpec) => Partial<HttpResponse> = () => ({})) {
  const sent: RequestSpec[] = [];
  const request = async (spec: RequestSpec): Promise<HttpResponse> => {
    sent.push(spec);
    const partial = respond(spec);
    const body = partial.body ?? '';
    return {
      status: 200,
      headers: {},
      body,
      json: <T,>() => JSON.parse(body) as T,
      timings: { blocked: 0, connecting: 0, sending: 0, waiting: 0, receiving: 0, duration: 0, response: 0 },
      request: { method: spec.method, url: spec.url, endpoint: spec.name ?? spec.url },
      bytesReceived: 0,
      bytesSent: 0,
      ...partial,
    };
  };
  const vu = {
    id: 7,
    scenario: 'test',
    iteration: 0,
    state: {},
    tags: {},
    env: { API_KEY: 'k-123' },
    stopping: false,
    http: {
      request,
      get: (url: string) => request({ method: 'GET', url }),
      head: (url: string) => request({ method: 'HEAD', url }),
      delete: (url: string) => request({ method: 'DELETE', url }),
      post: (url: string, body?: RequestSpec['body']) => request({ method: 'POST', url, body }),
      put: (url: string, body?: RequestSpec['body']) => request({ method: 'PUT', url, body }),
      patch: (url: string, body?: RequestSpec['body']) => request({ method: 'PATCH', url, body }),
    },
    check: () => true,
    sleep: async () => undefined,
  } satisfies VirtualUser;
  return { vu: vu as VirtualUser & { iteration: number }, sent };
}

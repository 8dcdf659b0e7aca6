// An app instrumented with the OpenTelemetry JavaScript SDK: three spans (two LLM calls, one HTTP
// call) exported over OTLP/HTTP with the SDK's own exporter, which sends OTLP/JSON.
// Usage: node export-genai-spans.js <traces endpoint> <tenant> <start epoch ms>
// Prints {"results": [export result codes], "spans": [{"id", "name", "start", "end"}]} on stdout.
'use strict';
const { NodeTracerProvider, SimpleSpanProcessor } = require('@opentelemetry/sdk-trace-node');
const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-http');
const { resourceFromAttributes } = require('@opentelemetry/resources');

const [endpoint, tenant, startArg] = process.argv.slice(2);
const start = Number(startArg);
const exporter = new OTLPTraceExporter({ url: endpoint });
const results = [];
// Wraps the exporter only to learn whether each export succeeded.
const recording = {
  export: (spans, done) => exporter.export(spans, (result) => { results.push(result.code); done(result); }),
  shutdown: () => exporter.shutdown(),
  forceFlush: () => exporter.forceFlush(),
};
const provider = new NodeTracerProvider({
  resource: resourceFromAttributes({ 'service.name': 'checkout', 'tenant.id': tenant }),
  spanProcessors: [new SimpleSpanProcessor(recording)],
});
const tracer = provider.getTracer('streamlens-js-test');

const spans = [];
function call(name, offsetMs, durationMs, attributes, error) {
  const span = tracer.startSpan(name, { startTime: start + offsetMs, attributes });
  if (error) {
    span.setStatus({ code: 2, message: error });
  }
  span.end(start + offsetMs + durationMs);
  const context = span.spanContext();
  spans.push({ id: `${context.traceId}-${context.spanId}`, name, start: start + offsetMs, end: start + offsetMs + durationMs });
}

call('chat claude-3-5-sonnet', 0, 2300, {
  'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'anthropic',
  'gen_ai.request.model': 'claude-3-5-sonnet', 'gen_ai.usage.input_tokens': 900, 'gen_ai.usage.output_tokens': 150,
  'gen_ai.usage.cache_read.input_tokens': 600, 'gen_ai.response.finish_reasons': ['end_turn'],
});
call('text_completion gpt-4o-mini', 500, 800, {
  'gen_ai.operation.name': 'text_completion', 'gen_ai.request.model': 'gpt-4o-mini',
  'gen_ai.usage.prompt_tokens': 40, 'gen_ai.usage.completion_tokens': 12, 'error.type': 'timeout',
}, 'upstream timeout');
call('GET /cart', 0, 15, { 'http.request.method': 'GET' });

provider.forceFlush()
  .then(() => provider.shutdown())
  .then(() => process.stdout.write(JSON.stringify({ results, spans }) + '\n'))
  .catch((e) => { console.error(e); process.exit(1); });

// An app that calls an OpenAI-compatible server through a real client library, traced by a real
// instrumentation library, exporting its spans to StreamLens over OTLP (InstrumentationLibrariesIT).
//
//   node app.mjs <stack> <llm base URL> <otlp endpoint> <http|grpc> <tenant> <scenario>...
//
// Each scenario is one call, named to the server in the user message ("scenario:<name>"); a name
// starting with "stream" is a streamed call, "stream-usage" asks for usage in the stream. Prints a
// JSON report: what each call did, and what each export answered.
import { createRequire } from "node:module";
import { resourceFromAttributes } from "@opentelemetry/resources";
import {
  BatchSpanProcessor,
  ConsoleSpanExporter,
  NodeTracerProvider,
  SimpleSpanProcessor,
} from "@opentelemetry/sdk-trace-node";

const require = createRequire(import.meta.url);
const [stack, llm, endpoint, protocol, tenant, ...scenarios] = process.argv.slice(2);

/** Records what every export answered (0 = SUCCESS), to report it. */
function recording(exporter, exports) {
  return {
    export(spans, done) {
      exporter.export(spans, (result) => {
        exports.push({ code: result.code, spans: spans.length, error: result.error ? String(result.error) : undefined });
        done(result);
      });
    },
    shutdown: () => exporter.shutdown(),
    forceFlush: () => (exporter.forceFlush ? exporter.forceFlush() : Promise.resolve()),
  };
}

function exporterFor() {
  if (protocol === "grpc") {
    const { OTLPTraceExporter } = require("@opentelemetry/exporter-trace-otlp-grpc");
    return new OTLPTraceExporter({ url: endpoint });
  }
  const { OTLPTraceExporter } = require("@opentelemetry/exporter-trace-otlp-proto");
  return new OTLPTraceExporter({ url: endpoint + "/v1/traces" });
}

const exports = [];
const provider = new NodeTracerProvider({
  resource: resourceFromAttributes({ "service.name": stack, "tenant.id": tenant }),
  spanProcessors: [
    // SPANS_PER_EXPORT=1: every span in an export of its own, as when a batch closes between them
    new BatchSpanProcessor(recording(exporterFor(), exports), {
      scheduledDelayMillis: 200,
      ...(process.env.SPANS_PER_EXPORT ? { maxExportBatchSize: Number(process.env.SPANS_PER_EXPORT) } : {}),
    }),
    ...(process.env.PRINT_SPANS ? [new SimpleSpanProcessor(new ConsoleSpanExporter())] : []),
  ],
});
provider.register();

const isStream = (scenario) => scenario.startsWith("stream");
const wantsUsage = (scenario) => scenario === "stream-usage";
const MODEL = "gpt-4o-mini";

/** The openai client, instrumented by one of the libraries that patch it. */
async function openAiStack(instrument) {
  const openaiModule = instrument();
  const OpenAI = openaiModule.OpenAI ?? openaiModule.default ?? openaiModule;
  const client = new OpenAI({ baseURL: llm, apiKey: "test-key", maxRetries: 0 });
  return async (scenario) => {
    const messages = [{ role: "user", content: "scenario:" + scenario }];
    if (!isStream(scenario)) {
      await client.chat.completions.create({ model: MODEL, messages });
      return;
    }
    const stream = await client.chat.completions.create({
      model: MODEL,
      messages,
      stream: true,
      ...(wantsUsage(scenario) ? { stream_options: { include_usage: true } } : {}),
    });
    for await (const _chunk of stream) {
      // drained: the instrumentation ends its span when the stream ends
    }
  };
}

async function aiSdkStack(legacy) {
  const { registerTelemetry, generateText, streamText } = await import("ai");
  const { createOpenAI } = await import("@ai-sdk/openai");
  const otel = await import("@ai-sdk/otel");
  registerTelemetry(legacy ? new otel.LegacyOpenTelemetry() : new otel.OpenTelemetry());
  const model = createOpenAI({ baseURL: llm, apiKey: "test-key" }).chat(MODEL);
  return async (scenario) => {
    const prompt = "scenario:" + scenario;
    if (!isStream(scenario)) {
      await generateText({ model, prompt, maxRetries: 0 });
      return;
    }
    const result = streamText({ model, prompt, maxRetries: 0, onError: () => {} });
    for await (const part of result.fullStream) {
      if (part.type === "error") {
        throw part.error;
      }
    }
  };
}

/** LangChain's ChatOpenAI traced twice: OpenInference's LangChain tracer and its OpenAI instrumentation. */
async function langChainStack() {
  const { LangChainInstrumentation } = require("@arizeai/openinference-instrumentation-langchain");
  const { OpenAIInstrumentation } = require("@arizeai/openinference-instrumentation-openai");
  const langChain = new LangChainInstrumentation();
  langChain.manuallyInstrument(require("@langchain/core/callbacks/manager"));
  const openAi = new OpenAIInstrumentation();
  // @langchain/openai brings its own openai (7.x): instrument that copy.
  const langChainOpenAi = require.resolve("@langchain/openai");
  openAi.manuallyInstrument(require(require.resolve("openai", { paths: [langChainOpenAi] })));
  const { ChatOpenAI } = require("@langchain/openai");
  const { awaitAllCallbacks } = require("@langchain/core/callbacks/promises");
  const chat = (streamUsage) =>
    new ChatOpenAI({ model: MODEL, apiKey: "test-key", maxRetries: 0, streamUsage, configuration: { baseURL: llm } });
  return async (scenario) => {
    try {
      if (!isStream(scenario)) {
        await chat(false).invoke("scenario:" + scenario);
        return;
      }
      for await (const _chunk of await chat(wantsUsage(scenario)).stream("scenario:" + scenario)) {
        // drained
      }
    } finally {
      await awaitAllCallbacks();
    }
  };
}

const stacks = {
  "otel-openai": () =>
    openAiStack(() => {
      const { registerInstrumentations } = require("@opentelemetry/instrumentation");
      const { OpenAIInstrumentation } = require("@opentelemetry/instrumentation-openai");
      registerInstrumentations({ instrumentations: [new OpenAIInstrumentation()] });
      return require("openai");
    }),
  "openinference-openai": () =>
    openAiStack(() => {
      const { OpenAIInstrumentation } = require("@arizeai/openinference-instrumentation-openai");
      const openai = require("openai");
      new OpenAIInstrumentation().manuallyInstrument(openai);
      return openai;
    }),
  "traceloop-openai": () =>
    openAiStack(() => {
      const { OpenAIInstrumentation } = require("@traceloop/instrumentation-openai");
      const openai = require("openai");
      const instrumentation = new OpenAIInstrumentation();
      instrumentation.setTracerProvider(provider);
      instrumentation.manuallyInstrument(openai.OpenAI); // it patches the class, not the module
      return openai;
    }),
  "ai-sdk": () => aiSdkStack(false),
  "ai-sdk-legacy": () => aiSdkStack(true),
  "langchain-openinference": () => langChainStack(),
};

const call = await stacks[stack]();
const calls = [];
for (const scenario of scenarios) {
  try {
    await call(scenario);
    calls.push({ scenario, ok: true });
  } catch (error) {
    calls.push({ scenario, ok: false, error: String(error?.status ?? error?.statusCode ?? error?.message ?? error) });
  }
}
await provider.forceFlush();
await provider.shutdown();
process.stdout.write(JSON.stringify({ stack, calls, exports }) + "\n");

// Prices calls with Pydantic's calcPrice, from the catalog file given (not the package's bundled
// copy, which differs): node price-calls.mjs <data.json> <calls.json> > prices.json
// calls.json: [{"provider": "anthropic" | null, "model": "...", "timestamp": "RFC 3339",
//               "usage": {"input_tokens": n, "cache_read_tokens": n, ...}}]
// prints: [{"usd": number | null, "provider": id | null, "model": id | null}]
import { readFileSync } from "node:fs";
import { calcPrice, updatePrices, waitForUpdate } from "@pydantic/genai-prices";

const [catalog, callsFile] = process.argv.slice(2);
updatePrices(({ setProviderData }) => setProviderData(JSON.parse(readFileSync(catalog, "utf8"))));
await waitForUpdate();
const calls = JSON.parse(readFileSync(callsFile, "utf8"));
const prices = calls.map((call) => {
  const options = { timestamp: new Date(call.timestamp), ...(call.provider ? { providerId: call.provider } : {}) };
  const price = calcPrice(call.usage, call.model, options);
  return price
    ? { usd: price.total_price, provider: price.provider.id, model: price.model.id }
    : { usd: null, provider: null, model: null };
});
process.stdout.write(JSON.stringify(prices));

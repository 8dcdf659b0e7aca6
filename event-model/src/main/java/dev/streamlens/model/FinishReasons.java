package dev.streamlens.model;

import java.util.Locale;
import java.util.Set;

/**
 * What a response's {@code finish_reason} says about the call, for the figures counted from it
 * (docs/DESIGN.md#what-the-numbers-mean). Providers spell the same reason differently, so the
 * spellings are listed here once.
 */
public final class FinishReasons {

    /**
     * The output stopped because it reached the token limit, not because the model was done:
     * {@code length} (OpenAI, Mistral, the Vercel AI SDK, OpenTelemetry's GenAI conventions),
     * {@code max_tokens} (Anthropic, Bedrock; Gemini's {@code MAX_TOKENS}), compared without case.
     */
    private static final Set<String> TOKEN_LIMIT = Set.of("length", "max_tokens");

    private FinishReasons() {}

    /** True when the reason says the output was cut at the token limit; false for null or any other reason. */
    public static boolean stoppedAtTokenLimit(String finishReason) {
        return finishReason != null && TOKEN_LIMIT.contains(finishReason.toLowerCase(Locale.ROOT));
    }
}

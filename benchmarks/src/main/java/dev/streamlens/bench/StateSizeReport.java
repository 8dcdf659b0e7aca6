package dev.streamlens.bench;

import dev.streamlens.job.events.JoinedCall;
import dev.streamlens.job.events.TelemetryEvent;
import dev.streamlens.job.join.PairState;
import dev.streamlens.job.join.PairStateSerializer;
import dev.streamlens.job.window.WindowAccumulator;
import dev.streamlens.job.window.WindowAccumulatorSerializer;
import java.util.Random;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataOutputSerializer;

/**
 * Prints the serialized size of the job's state: per open request (the join), per joined or
 * timed-out request kept for deduplication, and per window (the accumulator with its sketch).
 * These are the bytes RocksDB stores per value, before its own key and block overheads.
 */
public final class StateSizeReport {

    private StateSizeReport() {}

    public static void main(String[] args) throws Exception {
        TypeSerializer<PairState> pairs = PairStateSerializer.INSTANCE; // as the join stores them

        PairState open = new PairState();
        open.request = TelemetryEvent.request(
                "req-0b7c1f8e-5d0e-4c55-9d1e-2f4b8a7c6d10",
                1_763_632_830_000L,
                "acme-corp",
                "chat_support_v2",
                "gpt-4.1-mini",
                321);
        open.requestTimestamp = open.request.timestamp;
        System.out.printf(
                "open request (waiting for its response): %d bytes + key (request_id, %d bytes)%n",
                size(pairs, open), open.request.requestId.length() + 1);

        PairState joined = new PairState();
        joined.status = PairState.Status.JOINED;
        joined.requestTimestamp = open.requestTimestamp;
        System.out.printf(
                "joined request (kept until its deadline window closes): %d bytes + key%n", size(pairs, joined));

        Random random = new Random(1);
        for (int calls : new int[] {1, 100, 10_000, 1_000_000}) {
            WindowAccumulator acc = new WindowAccumulator();
            for (int i = 0; i < calls; i++) {
                JoinedCall call = new JoinedCall();
                call.latencyMs = 50 + random.nextDouble() * (i % 50 == 0 ? 120_000 : 3_000);
                call.promptTokens = random.nextInt(4000);
                call.completionTokens = random.nextInt(2000);
                acc.add(call);
            }
            DataOutputSerializer out = new DataOutputSerializer(1024);
            WindowAccumulatorSerializer.INSTANCE.serialize(acc, out);
            System.out.printf(
                    "window accumulator with %,d calls (latencies 50 ms..2 min): %d bytes%n", calls, out.length());
        }
        windowWithEndUsers();
    }

    /**
     * A window whose calls name end users drawn from a million (Zipf, as {@link
     * SyntheticEvents#requestsWithEndUsers}) and their sessions: the summaries bound it.
     */
    static void windowWithEndUsers() throws java.io.IOException {
        for (int calls : new int[] {300, 3_000, 100_000}) {
            WindowAccumulator acc = new WindowAccumulator();
            for (int i = 0; i < calls; i++) {
                JoinedCall call = new JoinedCall();
                call.latencyMs = 50 + i % 3_000;
                call.promptTokens = i % 1000;
                call.completionTokens = i % 500;
                call.userId = SyntheticEvents.userOf(i * 10L);
                call.sessionId = SyntheticEvents.sessionOf(i * 10L);
                acc.add(call);
            }
            DataOutputSerializer out = new DataOutputSerializer(1024);
            WindowAccumulatorSerializer.INSTANCE.serialize(acc, out);
            System.out.printf(
                    "window accumulator with %,d calls of users drawn from a million, with sessions: %,d bytes%n",
                    calls, out.length());
        }
    }

    private static <T> int size(TypeSerializer<T> serializer, T value) throws java.io.IOException {
        DataOutputSerializer out = new DataOutputSerializer(256);
        serializer.serialize(value, out);
        return out.length();
    }
}

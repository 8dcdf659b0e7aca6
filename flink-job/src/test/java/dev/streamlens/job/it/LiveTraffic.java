package dev.streamlens.job.it;

import dev.streamlens.model.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Traffic as live applications send it: each record is written to Kafka when its time comes
 * (its timestamp plus a delivery delay below the out-of-orderness bound), from a background
 * thread, with acks from every replica. The timing the tests run the job with is short so that
 * windows, timeouts and lateness play out in seconds.
 */
final class LiveTraffic implements AutoCloseable {

    static final Duration WINDOW = Duration.ofSeconds(2);
    static final Duration JOIN_TIMEOUT = Duration.ofSeconds(4);
    /** Roomy against the delivery delay: a sender on this busy machine may fall behind its schedule. */
    static final Duration OUT_OF_ORDERNESS = Duration.ofMillis(2500);

    static final Duration IDLE_TIMEOUT = Duration.ofSeconds(1);
    static final Duration ALLOWED_LATENESS = Duration.ofSeconds(3);
    private static final long MAX_DELIVERY_DELAY_MS = 400;

    private final KafkaProducer<String, byte[]> producer;
    /** How far behind its schedule the sender fell at worst: beyond the bound's slack the test proves nothing. */
    private volatile long worstLagMs;
    /** Whether a job reads while the sender sends: only then can its lag make records late. */
    private volatile boolean lagMatters = true;

    LiveTraffic(String kafka) {
        this.producer = JobRun.producer(kafka);
        // The first send of a new producer waits for the topics' metadata (seconds on a busy machine):
        // fetched now, not in the middle of a schedule.
        producer.partitionsFor(Topics.REQUESTS);
        producer.partitionsFor(Topics.RESPONSES);
    }

    /** The job's options for this timing (checkpoints every second unless {@code extra} says otherwise). */
    static List<String> jobOptions(String... extra) {
        List<String> options = new ArrayList<>(List.of(
                "--window",
                "2s",
                "--join-timeout",
                "4s",
                "--out-of-orderness",
                "2500ms",
                "--idle-timeout",
                "1s",
                "--allowed-lateness",
                "3s",
                "--checkpoint-interval",
                "1s",
                "--parallelism",
                "2",
                // a custom dimension: every row's values of it are compared with the calls'
                "--tag-keys",
                "feature"));
        for (int i = 0; i + 1 < extra.length; i += 2) {
            int at = options.indexOf(extra[i]);
            if (at >= 0) {
                options.set(at + 1, extra[i + 1]);
            } else {
                options.add(extra[i]);
                options.add(extra[i + 1]);
            }
        }
        return options;
    }

    /** {@code calls} calls stamped over {@code span} from a second from now: every case of {@link Workload}. */
    static Workload workload(long seed, int calls, Duration span) {
        return Workload.generate(
                seed,
                calls,
                System.currentTimeMillis() + 1000,
                span.toMillis(),
                JOIN_TIMEOUT.toMillis(),
                MAX_DELIVERY_DELAY_MS,
                1500,
                3500);
    }

    /** What the job must report for these parts, computed independently. */
    static ExpectedMetrics expected(Workload... parts) {
        List<Workload.Request> requests = new ArrayList<>();
        List<Workload.Response> responses = new ArrayList<>();
        for (Workload part : parts) {
            requests.addAll(part.requests);
            responses.addAll(part.responses);
        }
        return ExpectedMetrics.of(
                Workload.of(requests, responses),
                JobRun.PRICES.getBytes(StandardCharsets.UTF_8),
                WINDOW.toMillis(),
                JOIN_TIMEOUT.toMillis());
    }

    /** Sends the workload's records at their delivery times; completes once every one is acknowledged. */
    CompletableFuture<Void> play(Workload workload) {
        return play(workload, OUT_OF_ORDERNESS);
    }

    /** The same, for a job that runs with this bound for out-of-order records. */
    CompletableFuture<Void> play(Workload workload, Duration outOfOrderness) {
        lagMatters = true;
        return CompletableFuture.runAsync(() -> {
            try {
                for (Workload.Delivery d : workload.deliveries) {
                    long wait = d.deliverAt() - System.currentTimeMillis();
                    if (wait > 0) {
                        TimeUnit.MILLISECONDS.sleep(wait);
                    } else if (lagMatters) {
                        worstLagMs = Math.max(worstLagMs, -wait);
                    }
                    producer.send(new ProducerRecord<>(d.topic(), d.key(), d.value()));
                }
                producer.flush();
                System.out.println("live traffic: " + workload.deliveries.size() + " records, the sender at worst "
                        + worstLagMs + " ms behind its schedule");
                if (worstLagMs > outOfOrderness.toMillis() - MAX_DELIVERY_DELAY_MS) {
                    throw new IllegalStateException("the sender fell " + worstLagMs + " ms behind its schedule: its"
                            + " records were late by the bound the job runs with, so the run proves nothing");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        });
    }

    /**
     * From now on the sender's lag is not held against the run: no job reads while it sends (it was
     * killed, and the next one starts after the sender is done), so a late send makes no record late
     * for a watermark — it lands in Kafka in the same order, read later as a backlog.
     */
    void lagNoLongerMatters() {
        lagMatters = false;
    }

    /** Sends one record now and waits for its acknowledgement. */
    void send(String topic, String key, String value) throws Exception {
        producer.send(new ProducerRecord<>(topic, key, value.getBytes(StandardCharsets.UTF_8)))
                .get(30, TimeUnit.SECONDS);
    }

    void sendRequest(Workload.Request request) throws Exception {
        producer.send(new ProducerRecord<>(Topics.REQUESTS, request.id(), Workload.requestJson(request)))
                .get(30, TimeUnit.SECONDS);
    }

    void sendResponse(Workload.Response response) throws Exception {
        producer.send(new ProducerRecord<>(Topics.RESPONSES, response.id(), Workload.responseJson(response)))
                .get(30, TimeUnit.SECONDS);
    }

    /** How long after the last event of a workload every window and timeout it touches is closed. */
    static Duration settleTime() {
        return JOIN_TIMEOUT
                .plus(WINDOW)
                .plus(OUT_OF_ORDERNESS)
                .plus(IDLE_TIMEOUT)
                .plusSeconds(1);
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
    }
}

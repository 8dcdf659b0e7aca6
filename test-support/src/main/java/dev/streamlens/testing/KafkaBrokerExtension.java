package dev.streamlens.testing;

import dev.streamlens.infra.EmbeddedKafkaBroker;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * JUnit 5 extension: one real Kafka broker for a test class, with StreamLens's topics, data under
 * {@code target/embedded/}. Use as {@code @RegisterExtension static final KafkaBrokerExtension KAFKA = ...}.
 */
public final class KafkaBrokerExtension implements BeforeAllCallback, AfterAllCallback {

    private final EmbeddedKafkaBroker.Builder builder;
    private EmbeddedKafkaBroker broker;

    public KafkaBrokerExtension() {
        this(EmbeddedKafkaBroker.builder());
    }

    /** With custom settings; a data directory, when not set, is made under target/embedded/. */
    public KafkaBrokerExtension(EmbeddedKafkaBroker.Builder builder) {
        this.builder = builder;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        builder.dataDirectory(
                TestDirectories.fresh("kafka-" + context.getRequiredTestClass().getSimpleName()));
        broker = builder.build().start();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (broker != null) {
            broker.stop();
        }
    }

    public EmbeddedKafkaBroker broker() {
        return broker;
    }

    public String bootstrapServers() {
        return broker.bootstrapServers();
    }
}

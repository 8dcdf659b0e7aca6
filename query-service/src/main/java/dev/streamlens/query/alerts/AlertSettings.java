package dev.streamlens.query.alerts;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** Settings of alert rules, the alerts store and webhook delivery ({@code streamlens.alerts.*}, docs/ALERTS.md). */
@ConfigMapping(prefix = "streamlens.alerts")
public interface AlertSettings {

    /**
     * Whether the service talks to Kafka for alerts: publishes rules to llm.alert-rules and stores
     * the transitions of llm.alerts. Off, rules are still stored and published once it is on.
     */
    @WithDefault("true")
    boolean kafka();

    /** The most rules one tenant may have (each is evaluated at every window's end). */
    @WithDefault("200")
    int maxRulesPerTenant();

    /** How often unpublished rule changes are sent again and due webhook deliveries are made. */
    @WithDefault("1s")
    Duration workInterval();

    Store store();

    Webhook webhook();

    interface Store {

        /**
         * Wait before the alerts store's consumer is made again after an unexpected failure; doubled
         * after each further failure, up to max-restart-backoff, and back to this after it polled
         * normally that long.
         */
        @WithDefault("1s")
        Duration restartBackoff();

        @WithDefault("30s")
        Duration maxRestartBackoff();
    }

    interface Webhook {

        /**
         * Deliver to link-local and cloud metadata addresses (169.254.0.0/16, fe80::/10,
         * fd00:ec2::254, metadata.google.internal). Off by default: a rule's URL must not reach
         * the host's own credentials.
         */
        @WithDefault("false")
        boolean allowLinkLocal();

        /** Connect plus answer time of one delivery attempt. */
        @WithDefault("10s")
        Duration timeout();

        /** Wait after the first failed attempt; doubled after each further one, up to max-backoff. */
        @WithDefault("1s")
        Duration initialBackoff();

        @WithDefault("5m")
        Duration maxBackoff();

        /** A delivery still failing this long after its alert was stored is given up (status failed). */
        @WithDefault("24h")
        Duration giveUpAfter();
    }
}

package dev.streamlens.ingest.kafka;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** Whether the Kafka cluster answers, asked at most once a second whatever the health traffic. */
@ApplicationScoped
public class KafkaReachability {

    private static final long CACHE_NANOS = TimeUnit.SECONDS.toNanos(1);

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    private Admin admin;
    private volatile boolean reachable;
    private volatile long checkedAt;

    public synchronized boolean isReachable() {
        if (checkedAt != 0 && System.nanoTime() - checkedAt < CACHE_NANOS) {
            return reachable;
        }
        try {
            admin().describeCluster(new DescribeClusterOptions().timeoutMs(2000))
                    .nodes()
                    .get(2, TimeUnit.SECONDS);
            reachable = true;
        } catch (Exception e) {
            reachable = false;
        }
        checkedAt = System.nanoTime();
        return reachable;
    }

    private Admin admin() {
        if (admin == null) {
            Properties props = new Properties();
            props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
            props.put(AdminClientConfig.CLIENT_ID_CONFIG, "streamlens-ingest-health");
            props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "2000");
            props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "2000");
            props.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, "1000");
            admin = Admin.create(props);
        }
        return admin;
    }

    @PreDestroy
    synchronized void close() {
        if (admin != null) {
            admin.close();
        }
    }
}

// The JVM stack's worker: a job every INTERVAL_MS on a HikariCP pool over pgjdbc, logged with log4j2
// (log4j2-jobs.xml: its default pattern, on stderr). HikariCP logs through SLF4J, which has no
// binding on this class path (Debian ships no log4j-slf4j-impl): SLF4J says so once and drops its
// lines, as it does in an app that forgot the bridge. EXPORT_AT_JOB=n runs an
// export on its own thread at the n-th job that keeps allocating (an OutOfMemoryError the thread
// does not catch: the JVM prints it and goes on). SIGTERM stops the scheduler and closes the pool.
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.net.URI;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

public class Jobs {
  private static final Logger log = LogManager.getLogger("com.example.jobs.InvoiceSync");
  private static final List<byte[]> hoard = new ArrayList<>();

  public static void main(String[] args) throws Exception {
    URI db = URI.create(System.getenv("DATABASE_URL"));
    HikariConfig cfg = new HikariConfig();
    cfg.setJdbcUrl("jdbc:postgresql://" + db.getHost() + ":" + db.getPort() + db.getPath());
    cfg.setUsername(db.getUserInfo().split(":")[0]);
    cfg.setMaximumPoolSize(2);
    cfg.setConnectionTimeout(1000);
    cfg.setPoolName("jobs-pool");
    HikariDataSource ds = new HikariDataSource(cfg);
    long every = Long.parseLong(System.getenv().getOrDefault("INTERVAL_MS", "2000"));
    int exportAt = Integer.parseInt(System.getenv().getOrDefault("EXPORT_AT_JOB", "0"));
    AtomicInteger n = new AtomicInteger();
    ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "scheduler-1"));
    scheduler.scheduleWithFixedDelay(() -> {
      int job = n.incrementAndGet();
      if (job == exportAt) {
        Thread t = new Thread(() -> {
          log.info("Export {} started", job);
          for (;;) hoard.add(new byte[1 << 20]);
        }, "export-" + job);
        t.start();
      }
      try (Connection c = ds.getConnection(); Statement s = c.createStatement();
           ResultSet r = s.executeQuery("select count(*) from generate_series(1, 500)")) {
        r.next();
        log.info("Job {} synced {} invoices", job, r.getLong(1));
      } catch (Exception e) {
        log.error("Job " + job + " failed", e);
      }
    }, 0, every, TimeUnit.MILLISECONDS);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      log.info("Received shutdown signal, stopping the scheduler");
      scheduler.shutdown();
      try {
        scheduler.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      ds.close();
      log.info("Stopped");
      LogManager.shutdown();
    }, "shutdown"));
    log.info("Worker started, a job every {} ms", every);
  }
}

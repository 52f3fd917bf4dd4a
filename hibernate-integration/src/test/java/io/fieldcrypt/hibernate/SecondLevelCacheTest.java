package io.fieldcrypt.hibernate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fieldcrypt.DecryptionException;
import io.fieldcrypt.hibernate.testing.Factories;
import io.fieldcrypt.testing.LocalMasterKeys;
import io.fieldcrypt.testing.TestDatabase;
import io.fieldcrypt.testing.TestPostgres;
import jakarta.persistence.Cacheable;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectOutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.Caching;
import org.hibernate.SessionFactory;
import org.hibernate.annotations.CacheConcurrencyStrategy;
import org.hibernate.stat.Statistics;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * With the second-level cache on, its entries hold only envelopes with their row's id (checked on their serialized
 * bytes), whether a Session or a StatelessSession put them there, and a cache hit gives the application plaintext
 * without a spurious update. A Session also checks that an entry belongs to the key it was found under.
 */
@ExtendWith(TestPostgres.class)
class SecondLevelCacheTest {

    private static final String PROVIDER = "com.github.benmanes.caffeine.jcache.spi.CaffeineCachingProvider";
    private static SessionFactory sf;

    @Entity(name = "CachedRecord")
    @Cacheable
    @org.hibernate.annotations.Cache(usage = CacheConcurrencyStrategy.READ_WRITE)
    static class CachedRecord {
        @Id
        @GeneratedValue(strategy = GenerationType.SEQUENCE)
        Long id;

        @Encrypted
        String secret;

        @BlindIndex(source = "secret")
        @Column(name = "secret_bidx")
        String secretIndex;

        @Encrypted
        LocalDate since;

        String label;
    }

    @BeforeAll
    static void start(TestDatabase db) {
        Map<String, Object> settings = Factories.local(LocalMasterKeys.spec("k1"), "k1");
        settings.put("hibernate.cache.use_second_level_cache", "true");
        settings.put("hibernate.cache.region.factory_class", "jcache");
        settings.put("hibernate.javax.cache.provider", PROVIDER);
        settings.put("hibernate.javax.cache.missing_cache_strategy", "create");
        settings.put(FieldCryptSettings.MIGRATION_READ_PLAINTEXT, "CachedLegacy.email");
        database = db;
        sf = Factories.build(db, settings, CachedRecord.class, CachedLegacy.class)
                .unwrap(SessionFactory.class);
    }

    private static TestDatabase database;

    /** A text column still being migrated from plaintext. */
    @Entity(name = "CachedLegacy")
    @Cacheable
    @org.hibernate.annotations.Cache(usage = CacheConcurrencyStrategy.READ_WRITE)
    static class CachedLegacy {
        @Id
        Long id;

        @Encrypted(storage = Encrypted.Storage.TEXT)
        @Column(length = 500)
        String email;
    }

    /** A legacy plaintext value read during a migration is cached sealed for its row, never in plain. */
    @Test
    void legacyPlaintextRead_isCachedSealed_andACacheHitOpens() throws java.sql.SQLException {
        try (java.sql.Connection c = database.connect();
                java.sql.Statement st = c.createStatement()) {
            st.execute("insert into CachedLegacy (id, email) values (1, 'legacy-cached@example.org')");
        }

        String fromDatabase = sf.fromTransaction(s -> s.find(CachedLegacy.class, 1L).email);
        String fromCache = sf.fromTransaction(s -> s.find(CachedLegacy.class, 1L).email);

        assertThat(fromDatabase).isEqualTo("legacy-cached@example.org");
        assertThat(fromCache).isEqualTo("legacy-cached@example.org");
        assertThat(sf.getStatistics().getSecondLevelCacheHitCount()).isEqualTo(1);
        assertThat(cachedBytes()).doesNotContain("legacy-cached");
    }

    @AfterAll
    static void stop() {
        sf.close();
    }

    @BeforeEach
    void reset() {
        sf.getStatistics().clear();
        sf.getCache().evictAllRegions();
    }

    private static Long persist(String secret) {
        return sf.fromTransaction(s -> {
            CachedRecord record = new CachedRecord();
            record.secret = secret;
            record.since = LocalDate.of(2020, 2, 29);
            record.label = "visible";
            s.persist(record);
            return record.id;
        });
    }

    @Test
    void afterInsert_cacheHoldsEnvelopesAndHitGivesPlaintext() {
        Long id = persist("cached-secret-1");

        assertThat(cachedBytes())
                .contains("visible")
                .doesNotContain("cached-secret-1")
                .doesNotContain("2020-02-29");
        CachedRecord loaded = sf.fromTransaction(s -> s.find(CachedRecord.class, id));

        Statistics statistics = sf.getStatistics();
        assertThat(statistics.getSecondLevelCacheHitCount()).isEqualTo(1);
        assertThat(loaded.secret).isEqualTo("cached-secret-1");
        assertThat(loaded.since).isEqualTo(LocalDate.of(2020, 2, 29));
        assertThat(loaded.secretIndex)
                .as("a handle reads as null, from the cache too")
                .isNull();
        assertThat(statistics.getEntityUpdateCount()).isZero();
        List<Long> found = sf.fromTransaction(
                s -> s.createSelectionQuery("select r.id from CachedRecord r where r.secretIndex = :s", Long.class)
                        .setParameter("s", "cached-secret-1")
                        .getResultList());
        assertThat(found).containsExactly(id);
    }

    @Test
    void afterLoadFromDatabase_cacheHoldsEnvelopes() {
        Long id = persist("cached-secret-2");
        sf.getCache().evictAllRegions();
        sf.getStatistics().clear();

        String fromDatabase = sf.fromTransaction(s -> s.find(CachedRecord.class, id).secret);

        assertThat(fromDatabase).isEqualTo("cached-secret-2");
        assertThat(sf.getStatistics().getSecondLevelCachePutCount()).isEqualTo(1);
        assertThat(cachedBytes()).contains("visible").doesNotContain("cached-secret-2");
        String fromCache = sf.fromTransaction(s -> s.find(CachedRecord.class, id).secret);
        assertThat(fromCache).isEqualTo("cached-secret-2");
        assertThat(sf.getStatistics().getSecondLevelCacheHitCount()).isEqualTo(1);
    }

    @Test
    void afterUpdate_cacheHoldsNewEnvelope() {
        Long id = persist("cached-secret-3");

        sf.inTransaction(s -> s.find(CachedRecord.class, id).secret = "cached-secret-4");

        assertThat(cachedBytes()).doesNotContain("cached-secret-3").doesNotContain("cached-secret-4");
        String fromCache = sf.fromTransaction(s -> s.find(CachedRecord.class, id).secret);
        assertThat(fromCache).isEqualTo("cached-secret-4");
    }

    @Test
    void statelessLoad_putsEnvelopes_andAStatelessHitOpens() {
        Long id = persist("cached-secret-5");
        sf.getCache().evictAllRegions();
        sf.getStatistics().clear();

        String fromDatabase = sf.fromStatelessTransaction(s -> s.get(CachedRecord.class, id).secret);
        assertThat(sf.getStatistics().getSecondLevelCachePutCount()).isEqualTo(1);
        assertThat(cachedBytes()).contains("visible").doesNotContain("cached-secret-5");
        CachedRecord fromCache = sf.fromStatelessTransaction(s -> s.get(CachedRecord.class, id));

        assertThat(fromDatabase).isEqualTo("cached-secret-5");
        assertThat(sf.getStatistics().getSecondLevelCacheHitCount()).isEqualTo(1);
        assertThat(fromCache.secret).isEqualTo("cached-secret-5");
        assertThat(fromCache.since).isEqualTo(LocalDate.of(2020, 2, 29));
    }

    @Test
    void cacheEntryMovedToAnotherKey_isRefusedByASession() {
        Long first = persist("cached-secret-6");
        Long second = persist("cached-secret-7");
        Cache<Object, Object> region = region();
        Object firstKey = null;
        Object secondKey = null;
        for (Cache.Entry<Object, Object> entry : region) {
            if (entry.getKey().toString().contains("#" + first)) {
                firstKey = entry.getKey();
            } else if (entry.getKey().toString().contains("#" + second)) {
                secondKey = entry.getKey();
            }
        }
        assertThat(firstKey).isNotNull();
        assertThat(secondKey).isNotNull();
        region.put(secondKey, region.get(firstKey));

        assertThatThrownBy(() -> sf.fromTransaction(s -> s.find(CachedRecord.class, second)))
                .isInstanceOf(DecryptionException.class)
                .hasMessageContaining("CachedRecord.secret")
                .hasMessageContaining("opened for another row")
                .hasMessageNotContaining("cached-secret");
    }

    private static Cache<Object, Object> region() {
        CacheManager manager = Caching.getCachingProvider(PROVIDER).getCacheManager();
        for (String name : manager.getCacheNames()) {
            if (name.contains("CachedRecord")) {
                return manager.getCache(name);
            }
        }
        throw new AssertionError("no region of CachedRecord in " + manager.getCacheNames());
    }

    /** Every entry of every cache region, Java-serialized, as one ISO-8859-1 string to search in. */
    private static String cachedBytes() {
        CacheManager manager = Caching.getCachingProvider(PROVIDER).getCacheManager();
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        int entries = 0;
        for (String name : manager.getCacheNames()) {
            Cache<Object, Object> cache = manager.getCache(name);
            for (Cache.Entry<Object, Object> entry : cache) {
                all.writeBytes(serialize(entry.getValue()));
                entries++;
            }
        }
        assertThat(entries).as("cache entries").isPositive();
        return all.toString(StandardCharsets.ISO_8859_1);
    }

    private static byte[] serialize(Object value) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }
}

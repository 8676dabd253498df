package io.paymentintents.gateway.auth;

import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Accounts and their API keys, in the {@code accounts} and {@code api_keys} tables. A key is stored only as its
 * SHA-256 digest (and its last four characters); a presented key is looked up by its digest, and the digest found
 * is compared with the presented one in constant time.
 *
 * <p>Lookups are cached for a short while ({@link #DEFAULT_CACHE_TTL}), at most {@link #MAX_CACHED} keys. The cache
 * holds the key's expiry and revocation and checks them on every use, so a rolled key stops working exactly at its
 * expiry whenever the grace period is longer than the time to live; a revocation (or a shorter roll) by another
 * process, the operator command, takes effect once the entry is older than the time to live.
 */
public class ApiKeyRegistry {

    public static final Duration DEFAULT_CACHE_TTL = Duration.ofSeconds(2);
    static final int MAX_CACHED = 10_000;
    /** Longer input is not a key of ours; refused before it is hashed. */
    private static final int MAX_KEY_LENGTH = 255;
    private static final String ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String KEY_COLUMNS = "id, account_id, kind, key_hash, last4, created_at, expires_at, revoked_at";

    private final JdbcTemplate jdbc;
    private final TransactionTemplate transactions;
    private final Clock clock;
    private final long cacheTtlNanos;
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();

    public ApiKeyRegistry(JdbcTemplate jdbc) {
        this(jdbc, Clock.systemUTC(), DEFAULT_CACHE_TTL);
    }

    public ApiKeyRegistry(JdbcTemplate jdbc, Clock clock, Duration cacheTtl) {
        this.jdbc = jdbc;
        this.transactions = new TransactionTemplate(new DataSourceTransactionManager(jdbc.getDataSource()));
        this.clock = clock;
        this.cacheTtlNanos = cacheTtl.toNanos();
    }

    private record StoredKey(ApiKeyInfo info, String keyHash) {
    }

    private record Cached(StoredKey key, long loadedAt) {
    }

    /** The caller a presented key stands for, if it is a key of ours that is neither expired nor revoked. */
    public Optional<Caller> authenticate(String presentedKey) {
        if (presentedKey == null || presentedKey.isEmpty() || presentedKey.length() > MAX_KEY_LENGTH) {
            return Optional.empty();
        }
        String digest = digest(presentedKey);
        StoredKey stored = lookup(digest);
        if (stored == null || !MessageDigest.isEqual(stored.keyHash().getBytes(StandardCharsets.US_ASCII),
                digest.getBytes(StandardCharsets.US_ASCII))) {
            return Optional.empty();
        }
        ApiKeyInfo info = stored.info();
        if (!info.activeAt(clock.instant())) {
            return Optional.empty();
        }
        return Optional.of(new Caller(info.accountId(), info.id(), info.kind() == KeyKind.SECRET));
    }

    private StoredKey lookup(String digest) {
        long now = System.nanoTime();
        Cached cached = cache.get(digest);
        if (cached != null && now - cached.loadedAt() < cacheTtlNanos) {
            return cached.key();
        }
        List<StoredKey> rows = jdbc.query("SELECT " + KEY_COLUMNS + " FROM api_keys WHERE key_hash = ?",
                STORED_KEY, digest);
        if (rows.isEmpty()) {
            // unknown keys are not cached: random guesses must not push real keys out
            cache.remove(digest);
            return null;
        }
        if (cache.size() >= MAX_CACHED) {
            cache.clear(); // crude, but bounded; the next requests reload what is in use
        }
        cache.put(digest, new Cached(rows.get(0), now));
        return rows.get(0);
    }

    // ---- accounts

    public Account createAccount(String name) {
        String checkedName = checkName(name);
        Account account = new Account("acct_" + randomText(16), checkedName, now());
        jdbc.update("INSERT INTO accounts (id, name, created_at) VALUES (?, ?, ?)", account.id(), account.name(),
                Timestamp.from(account.createdAt()));
        return account;
    }

    /** Creates the account with this id unless it exists (the default account at every start). */
    public void ensureAccount(String id, String name) {
        jdbc.update("INSERT INTO accounts (id, name, created_at) VALUES (?, ?, ?) ON CONFLICT (id) DO NOTHING",
                id, checkName(name), Timestamp.from(now()));
    }

    public Optional<Account> findAccount(String id) {
        return jdbc.query("SELECT id, name, created_at FROM accounts WHERE id = ?", ACCOUNT, id).stream().findFirst();
    }

    public List<Account> accounts() {
        return jdbc.query("SELECT id, name, created_at FROM accounts ORDER BY created_at, id", ACCOUNT);
    }

    // ---- keys

    /** A new key of the account; its text is in the answer and nowhere else. */
    public IssuedKey issue(String accountId, KeyKind kind) {
        if (findAccount(accountId).isEmpty()) {
            throw new IllegalArgumentException("No such account: '" + accountId + "'");
        }
        String key = kind.prefix() + randomText(32);
        ApiKeyInfo info = new ApiKeyInfo("key_" + randomText(24), accountId, kind, last4(key), now(), null, null);
        insert(info, digest(key));
        return new IssuedKey(info, key);
    }

    /**
     * Issues a new key of the same account and kind, and lets the old one work only until {@code now + grace}
     * (sooner if it was already due to expire): clients move to the new key within the grace period.
     */
    public IssuedKey roll(String keyIdOrKey, Duration grace) {
        if (grace.isNegative()) {
            throw new IllegalArgumentException("The grace period cannot be negative.");
        }
        ApiKeyInfo old = find(keyIdOrKey).orElseThrow(() -> noSuchKey(keyIdOrKey));
        Instant now = now();
        if (!old.activeAt(now)) {
            throw new IllegalArgumentException("Key " + old.id() + " is " + old.stateAt(now)
                    + " and cannot be rolled; issue a new key instead.");
        }
        IssuedKey rolled = transactions.execute(status -> {
            IssuedKey issued = issue(old.accountId(), old.kind());
            jdbc.update("UPDATE api_keys SET expires_at = LEAST(COALESCE(expires_at, 'infinity'), ?) WHERE id = ?",
                    Timestamp.from(now.plus(grace)), old.id());
            return issued;
        });
        forget(old.id());
        return rolled;
    }

    /** The key stops working at once (on other nodes within the cache's time to live). */
    public ApiKeyInfo revoke(String keyIdOrKey) {
        ApiKeyInfo key = find(keyIdOrKey).orElseThrow(() -> noSuchKey(keyIdOrKey));
        jdbc.update("UPDATE api_keys SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ?", Timestamp.from(now()),
                key.id());
        forget(key.id());
        return find(key.id()).orElseThrow();
    }

    /** Every key of the account, oldest first, including expired and revoked ones; never the keys themselves. */
    public List<ApiKeyInfo> keys(String accountId) {
        return jdbc.query("SELECT " + KEY_COLUMNS + " FROM api_keys WHERE account_id = ? ORDER BY created_at, id",
                STORED_KEY, accountId).stream().map(StoredKey::info).toList();
    }

    /** A key by its id ({@code key_...}) or by the key itself ({@code sk_test_...}, {@code pk_test_...}). */
    public Optional<ApiKeyInfo> find(String keyIdOrKey) {
        if (keyIdOrKey == null || keyIdOrKey.isEmpty() || keyIdOrKey.length() > MAX_KEY_LENGTH) {
            return Optional.empty();
        }
        List<StoredKey> rows = keyIdOrKey.startsWith("key_")
                ? jdbc.query("SELECT " + KEY_COLUMNS + " FROM api_keys WHERE id = ?", STORED_KEY, keyIdOrKey)
                : jdbc.query("SELECT " + KEY_COLUMNS + " FROM api_keys WHERE key_hash = ?", STORED_KEY,
                digest(keyIdOrKey));
        return rows.stream().findFirst().map(StoredKey::info);
    }

    /**
     * A key that comes from configuration (the default account's, from the environment or its key file), under a
     * fixed id: the key configured now replaces whatever key that id had, so a key taken out of the configuration
     * stops working, as it did when keys lived only in memory. A key already known (under any id) is left as it is,
     * expiry and revocation included: restarting the service does not bring a rolled or revoked key back.
     */
    public void registerConfiguredKey(String keyId, String accountId, KeyKind kind, String key) {
        if (!key.startsWith(kind.prefix())) {
            throw new IllegalArgumentException("a " + kind.wireName() + " key starts with " + kind.prefix());
        }
        String digest = digest(key);
        try {
            jdbc.update("""
                    INSERT INTO api_keys (id, account_id, kind, key_hash, last4, created_at)
                    SELECT ?, ?, ?, ?, ?, ?::timestamptz WHERE NOT EXISTS (SELECT 1 FROM api_keys WHERE key_hash = ?)
                    ON CONFLICT (id) DO UPDATE SET account_id = EXCLUDED.account_id, kind = EXCLUDED.kind,
                        key_hash = EXCLUDED.key_hash, last4 = EXCLUDED.last4, created_at = EXCLUDED.created_at,
                        expires_at = NULL, revoked_at = NULL""",
                    keyId, accountId, kind.wireName(), digest, last4(key), Timestamp.from(now()), digest);
        } catch (DuplicateKeyException e) {
            // another node registered the same key at the same moment: it is known now, which is all we wanted
        }
        cache.clear();
    }

    private void insert(ApiKeyInfo info, String digest) {
        jdbc.update("INSERT INTO api_keys (" + KEY_COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?)", info.id(),
                info.accountId(), info.kind().wireName(), digest, info.last4(), Timestamp.from(info.createdAt()),
                null, null);
    }

    private void forget(String keyId) {
        cache.values().removeIf(cached -> cached.key().info().id().equals(keyId));
    }

    private Instant now() {
        return clock.instant();
    }

    private static IllegalArgumentException noSuchKey(String keyIdOrKey) {
        // never echo something that may be a key
        return new IllegalArgumentException(keyIdOrKey.startsWith("key_") && keyIdOrKey.length() <= 64
                ? "No such API key: '" + keyIdOrKey + "'" : "No such API key.");
    }

    private static String checkName(String name) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("An account needs a name.");
        }
        if (name.length() > 255) {
            throw new IllegalArgumentException("An account name may be at most 255 characters long.");
        }
        return name.strip();
    }

    private static String last4(String key) {
        return key.substring(Math.max(0, key.length() - 4));
    }

    /** SHA-256 of the key's UTF-8 bytes, lower-case hex: what {@code api_keys.key_hash} holds. */
    public static String digest(String key) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(key.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    static String randomText(int length) {
        StringBuilder text = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            text.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
        }
        return text.toString();
    }

    private static final RowMapper<Account> ACCOUNT = (rs, i) -> new Account(rs.getString("id"),
            rs.getString("name"), rs.getTimestamp("created_at").toInstant());

    private static final RowMapper<StoredKey> STORED_KEY = (rs, i) -> new StoredKey(new ApiKeyInfo(
            rs.getString("id"), rs.getString("account_id"),
            KeyKind.fromWireName(rs.getString("kind")).orElseThrow(),
            rs.getString("last4"), rs.getTimestamp("created_at").toInstant(), instant(rs.getTimestamp("expires_at")),
            instant(rs.getTimestamp("revoked_at"))), rs.getString("key_hash"));

    private static Instant instant(Timestamp timestamp) {
        return timestamp == null ? null : timestamp.toInstant();
    }
}

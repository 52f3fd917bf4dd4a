package io.fieldcrypt.internal.kms;

import io.fieldcrypt.KeyProviderException;
import io.fieldcrypt.KeyProviderException.Reason;
import io.fieldcrypt.spi.DataKeyMaterial;
import io.fieldcrypt.spi.DecryptedDataKey;
import io.fieldcrypt.spi.GeneratedDataKey;
import io.fieldcrypt.spi.KeyProvider;
import io.fieldcrypt.spi.WrappedDataKey;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;

/**
 * A key provider whose master keys are AES-256 keys held in memory: for development and tests only, since the
 * master keys are then as exposed as the configuration that holds them.
 *
 * <p>Same semantics as AWS KMS: a data key is wrapped with AES-256-GCM under the master key, with the master key id
 * and the encryption context as associated data, so it does not unwrap under another master key or context.
 * Wrapped form: {@code 0x01 || 12-byte nonce || ciphertext || 16-byte tag}.
 */
public final class LocalKeyProvider implements KeyProvider {

    private static final byte FORMAT = 0x01;
    private static final int NONCE_BYTES = 12;
    private static final int DATA_KEY_BYTES = 32;
    private static final byte[] DOMAIN = "fieldcrypt-local-key-v1".getBytes(StandardCharsets.US_ASCII);

    private final Map<String, DataKeyMaterial> masterKeys;
    private final SecureRandom random = new SecureRandom();

    /**
     * @param masterKeys master key ids and their 32-byte keys, already validated; copied
     */
    public LocalKeyProvider(Map<String, byte[]> masterKeys) {
        Map<String, DataKeyMaterial> copy = new LinkedHashMap<>();
        masterKeys.forEach((id, key) -> copy.put(id, DataKeyMaterial.copyOf(key)));
        this.masterKeys = Map.copyOf(copy);
    }

    @Override
    public String canonicalMasterKeyId(String masterKeyId) {
        masterKey(masterKeyId);
        return masterKeyId;
    }

    @Override
    public GeneratedDataKey generateDataKey(String masterKeyId, Map<String, String> encryptionContext) {
        byte[] dataKey = new byte[DATA_KEY_BYTES];
        random.nextBytes(dataKey);
        try {
            WrappedDataKey wrapped = new WrappedDataKey(masterKeyId, wrap(masterKeyId, dataKey, encryptionContext));
            return new GeneratedDataKey(DataKeyMaterial.copyOf(dataKey), wrapped);
        } finally {
            Arrays.fill(dataKey, (byte) 0);
        }
    }

    @Override
    public DecryptedDataKey decryptDataKey(WrappedDataKey wrapped, Map<String, String> encryptionContext) {
        byte[] dataKey = unwrap(wrapped, encryptionContext);
        try {
            return new DecryptedDataKey(wrapped.masterKeyId(), DataKeyMaterial.copyOf(dataKey));
        } finally {
            Arrays.fill(dataKey, (byte) 0);
        }
    }

    @Override
    public WrappedDataKey reEncryptDataKey(
            WrappedDataKey wrapped, Map<String, String> encryptionContext, String destinationMasterKeyId) {
        byte[] dataKey = unwrap(wrapped, encryptionContext);
        try {
            return new WrappedDataKey(destinationMasterKeyId, wrap(destinationMasterKeyId, dataKey, encryptionContext));
        } finally {
            Arrays.fill(dataKey, (byte) 0);
        }
    }

    private byte[] wrap(String masterKeyId, byte[] dataKey, Map<String, String> context) {
        DataKeyMaterial masterKey = masterKey(masterKeyId);
        byte[] out = new byte[1 + NONCE_BYTES + dataKey.length + 16];
        out[0] = FORMAT;
        byte[] nonce = new byte[NONCE_BYTES];
        random.nextBytes(nonce);
        System.arraycopy(nonce, 0, out, 1, NONCE_BYTES);
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, masterKey, new GCMParameterSpec(128, nonce));
            cipher.updateAAD(associatedData(masterKeyId, context));
            cipher.doFinal(dataKey, 0, dataKey.length, out, 1 + NONCE_BYTES);
            return out;
        } catch (GeneralSecurityException e) {
            throw new KeyProviderException(
                    Reason.REJECTED,
                    "local key provider could not wrap a data key under master key '" + masterKeyId + "'",
                    e);
        }
    }

    private byte[] unwrap(WrappedDataKey wrapped, Map<String, String> context) {
        String masterKeyId = wrapped.masterKeyId();
        DataKeyMaterial masterKey = masterKey(masterKeyId);
        byte[] blob = wrapped.encryptedKey();
        if (blob.length != 1 + NONCE_BYTES + DATA_KEY_BYTES + 16 || blob[0] != FORMAT) {
            throw invalidCiphertext(masterKeyId, null);
        }
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, masterKey, new GCMParameterSpec(128, blob, 1, NONCE_BYTES));
            cipher.updateAAD(associatedData(masterKeyId, context));
            return cipher.doFinal(blob, 1 + NONCE_BYTES, blob.length - 1 - NONCE_BYTES);
        } catch (AEADBadTagException e) {
            throw invalidCiphertext(masterKeyId, e);
        } catch (GeneralSecurityException e) {
            throw new KeyProviderException(
                    Reason.REJECTED,
                    "local key provider could not unwrap a data key under master key '" + masterKeyId + "'",
                    e);
        }
    }

    private static KeyProviderException invalidCiphertext(String masterKeyId, Exception cause) {
        return new KeyProviderException(
                Reason.INVALID_CIPHERTEXT,
                "local key provider could not unwrap a data key" + " under master key '" + masterKeyId
                        + "': the wrapped key or its encryption context was altered",
                cause);
    }

    private DataKeyMaterial masterKey(String masterKeyId) {
        DataKeyMaterial key = masterKeys.get(masterKeyId);
        if (key == null) {
            throw new KeyProviderException(
                    Reason.KEY_NOT_FOUND,
                    "local master key '" + masterKeyId + "' is not configured; configured ids: "
                            + new TreeMap<>(masterKeys).keySet());
        }
        return key;
    }

    private static byte[] associatedData(String masterKeyId, Map<String, String> context) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(DOMAIN);
        writeField(out, masterKeyId);
        new TreeMap<>(context).forEach((name, value) -> {
            writeField(out, name);
            writeField(out, value);
        });
        return out.toByteArray();
    }

    private static void writeField(ByteArrayOutputStream out, String field) {
        byte[] utf8 = field.getBytes(StandardCharsets.UTF_8);
        out.writeBytes(ByteBuffer.allocate(Integer.BYTES).putInt(utf8.length).array());
        out.writeBytes(utf8);
    }

    /** Names the master key ids, never the keys. */
    @Override
    public String toString() {
        return "LocalKeyProvider[masterKeys=" + new TreeMap<>(masterKeys).keySet() + "]";
    }
}

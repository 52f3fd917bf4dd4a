/**
 * Extension points: a {@link io.fieldcrypt.spi.KeyProvider} for another KMS, a
 * {@link io.fieldcrypt.spi.DataKeyStore} for another place to keep wrapped data keys, and the value types they
 * exchange. Key material travels only as {@link io.fieldcrypt.spi.DataKeyMaterial}.
 */
package io.fieldcrypt.spi;

package io.fieldcrypt;

/**
 * fieldcrypt was configured in a way it cannot work with. The message names the setting or mapping to change and
 * the expected form. Thrown at start-up wherever the problem can be seen then.
 */
public final class ConfigurationException extends FieldCryptException {

    private static final long serialVersionUID = 1L;

    /**
     * @param message what is wrong and how to fix it
     */
    public ConfigurationException(String message) {
        super(message);
    }

    /**
     * @param message what is wrong and how to fix it
     * @param cause the underlying failure
     */
    public ConfigurationException(String message, Throwable cause) {
        super(message, cause);
    }
}

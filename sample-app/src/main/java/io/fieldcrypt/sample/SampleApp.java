package io.fieldcrypt.sample;

/**
 * The sample application's entry point. Until the sample application issue lands it only says so, so that the
 * README's run command already works on a fresh machine.
 */
public final class SampleApp {

    private SampleApp() {
    }

    /**
     * @param args ignored for now
     */
    public static void main(String[] args) {
        System.out.println("fieldcrypt sample application: the demo is not built yet (see the sample application"
                + " issue). Run the tests with: mvn -B verify");
    }
}

package io.fieldcrypt.hibernate.internal;

import io.fieldcrypt.ConfigurationException;
import java.util.Map;
import org.hibernate.cfg.QuerySettings;
import org.hibernate.engine.config.spi.ConfigurationService;
import org.hibernate.engine.spi.LoadQueryInfluencers;
import org.hibernate.query.spi.QueryOptions;
import org.hibernate.query.spi.QueryParameterBindings;
import org.hibernate.query.sqm.internal.DomainParameterXref;
import org.hibernate.query.sqm.sql.SqmTranslator;
import org.hibernate.query.sqm.sql.SqmTranslatorFactory;
import org.hibernate.query.sqm.sql.StandardSqmTranslatorFactory;
import org.hibernate.query.sqm.tree.SqmDmlStatement;
import org.hibernate.query.sqm.tree.select.SqmSelectStatement;
import org.hibernate.sql.ast.spi.SqlAstCreationContext;
import org.hibernate.sql.ast.tree.MutationStatement;
import org.hibernate.sql.ast.tree.select.SelectStatement;

/**
 * The query translator factory fieldcrypt installs ({@code hibernate.query.sqm.translator}, set by
 * {@link FieldCryptService.Contributor}): checks every HQL, JPQL and Criteria statement with
 * {@link EncryptedQueryCheck} when it is compiled, then hands it to the translator factory that would have been used
 * otherwise — the one the application configured (kept under {@link #DELEGATE}), the dialect's, or Hibernate's
 * standard one. The check needs nothing but the mapping model, so it costs nothing where no attribute is
 * encrypted.
 */
public final class CheckingSqmTranslatorFactory implements SqmTranslatorFactory {

    /** Where the contributor keeps the application's own {@code hibernate.query.sqm.translator}, if any. */
    static final String DELEGATE = "fieldcrypt.internal.delegate-sqm-translator";

    private volatile SqmTranslatorFactory delegate;

    /** Hibernate instantiates it by class name. */
    public CheckingSqmTranslatorFactory() {}

    /**
     * Makes a settings map use this factory, keeping the application's own translator factory as the delegate.
     *
     * @param settings a service registry builder's settings, before they are frozen
     * @param apply how to put a setting
     */
    static void install(Map<?, ?> settings, java.util.function.BiConsumer<String, Object> apply) {
        Object configured = settings.get(QuerySettings.SEMANTIC_QUERY_TRANSLATOR);
        if (configured == null || isThis(configured)) {
            apply.accept(QuerySettings.SEMANTIC_QUERY_TRANSLATOR, CheckingSqmTranslatorFactory.class.getName());
            return;
        }
        apply.accept(DELEGATE, configured);
        apply.accept(QuerySettings.SEMANTIC_QUERY_TRANSLATOR, CheckingSqmTranslatorFactory.class.getName());
    }

    private static boolean isThis(Object configured) {
        return configured == CheckingSqmTranslatorFactory.class
                || CheckingSqmTranslatorFactory.class.getName().equals(configured.toString());
    }

    @Override
    public SqmTranslator<SelectStatement> createSelectTranslator(
            SqmSelectStatement<?> statement,
            QueryOptions queryOptions,
            DomainParameterXref domainParameterXref,
            QueryParameterBindings domainParameterBindings,
            LoadQueryInfluencers loadQueryInfluencers,
            SqlAstCreationContext creationContext,
            boolean deduplicateSelectionItems) {
        EncryptedQueryCheck.check(statement, creationContext.getMappingMetamodel());
        return delegate(creationContext)
                .createSelectTranslator(
                        statement,
                        queryOptions,
                        domainParameterXref,
                        domainParameterBindings,
                        loadQueryInfluencers,
                        creationContext,
                        deduplicateSelectionItems);
    }

    @Override
    public SqmTranslator<? extends MutationStatement> createMutationTranslator(
            SqmDmlStatement<?> statement,
            QueryOptions queryOptions,
            DomainParameterXref domainParameterXref,
            QueryParameterBindings domainParameterBindings,
            LoadQueryInfluencers loadQueryInfluencers,
            SqlAstCreationContext creationContext) {
        EncryptedQueryCheck.check(statement, creationContext.getMappingMetamodel());
        return delegate(creationContext)
                .createMutationTranslator(
                        statement,
                        queryOptions,
                        domainParameterXref,
                        domainParameterBindings,
                        loadQueryInfluencers,
                        creationContext);
    }

    private SqmTranslatorFactory delegate(SqlAstCreationContext creationContext) {
        SqmTranslatorFactory resolved = delegate;
        if (resolved == null) {
            resolved = resolveDelegate(creationContext);
            delegate = resolved;
        }
        return resolved;
    }

    // SqlAstCreationContext.getSessionFactory() is deprecated without a replacement; the settings are reachable only
    // through the factory (every other path is deprecated for removal).
    @SuppressWarnings("deprecation")
    private static SqmTranslatorFactory resolveDelegate(SqlAstCreationContext creationContext) {
        Object configured = creationContext
                .getSessionFactory()
                .getServiceRegistry()
                .requireService(ConfigurationService.class)
                .getSettings()
                .get(DELEGATE);
        if (configured instanceof SqmTranslatorFactory instance) {
            return instance;
        }
        if (configured != null) {
            try {
                Class<?> type = configured instanceof Class<?> c
                        ? c
                        : Class.forName(
                                configured.toString(), true, CheckingSqmTranslatorFactory.class.getClassLoader());
                return (SqmTranslatorFactory) type.getDeclaredConstructor().newInstance();
            } catch (ReflectiveOperationException | ClassCastException e) {
                throw new ConfigurationException(QuerySettings.SEMANTIC_QUERY_TRANSLATOR + "=" + configured
                        + " cannot be used: name a class implementing SqmTranslatorFactory with a public no-argument"
                        + " constructor (" + e + ")");
            }
        }
        SqmTranslatorFactory dialects = creationContext.getDialect().getSqmTranslatorFactory();
        return dialects != null ? dialects : new StandardSqmTranslatorFactory();
    }
}

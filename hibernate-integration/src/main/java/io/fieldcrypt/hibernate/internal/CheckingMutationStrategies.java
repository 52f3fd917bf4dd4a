package io.fieldcrypt.hibernate.internal;

import java.util.Map;
import org.hibernate.boot.registry.StandardServiceInitiator;
import org.hibernate.engine.jdbc.connections.spi.JdbcConnectionAccess;
import org.hibernate.engine.spi.SessionFactoryImplementor;
import org.hibernate.metamodel.mapping.EntityMappingType;
import org.hibernate.metamodel.mapping.internal.MappingModelCreationProcess;
import org.hibernate.query.spi.DomainQueryExecutionContext;
import org.hibernate.query.sqm.internal.DomainParameterXref;
import org.hibernate.query.sqm.mutation.internal.SqmMultiTableMutationStrategyProviderStandard;
import org.hibernate.query.sqm.mutation.spi.MultiTableHandlerBuildResult;
import org.hibernate.query.sqm.mutation.spi.SqmMultiTableInsertStrategy;
import org.hibernate.query.sqm.mutation.spi.SqmMultiTableMutationStrategy;
import org.hibernate.query.sqm.mutation.spi.SqmMultiTableMutationStrategyProvider;
import org.hibernate.query.sqm.tree.SqmDeleteOrUpdateStatement;
import org.hibernate.query.sqm.tree.SqmDmlStatement;
import org.hibernate.query.sqm.tree.insert.SqmInsertStatement;
import org.hibernate.service.spi.ServiceRegistryImplementor;

/**
 * The other door into SQL for bulk statements: Hibernate runs {@code update}, {@code delete} and
 * {@code insert ... select} on an entity spread over several tables (JOINED, {@code @SecondaryTable},
 * TABLE_PER_CLASS), and {@code insert ... select} that needs pooled ids, through a multi-table strategy that builds
 * its SQL without the query translator factory, so {@link CheckingSqmTranslatorFactory} never sees them. This
 * replaces the service that hands out those strategies with one that wraps each strategy Hibernate would have used
 * (the configured {@code hibernate.query.mutation_strategy} / {@code insert_strategy}, or the dialect's) and runs
 * {@link EncryptedQueryCheck} on the statement before the strategy builds anything.
 */
final class CheckingMutationStrategies implements SqmMultiTableMutationStrategyProvider {

    /** Contributed by {@link FieldCryptService.Contributor}; registered after Hibernate's, so it replaces it. */
    static final StandardServiceInitiator<SqmMultiTableMutationStrategyProvider> INITIATOR = new Initiator();

    private final SqmMultiTableMutationStrategyProvider standard = new SqmMultiTableMutationStrategyProviderStandard();

    @Override
    public SqmMultiTableMutationStrategy createMutationStrategy(
            EntityMappingType rootEntityDescriptor, MappingModelCreationProcess creationProcess) {
        SqmMultiTableMutationStrategy delegate = standard.createMutationStrategy(rootEntityDescriptor, creationProcess);
        return delegate == null ? null : new Mutation(delegate);
    }

    @Override
    public SqmMultiTableInsertStrategy createInsertStrategy(
            EntityMappingType rootEntityDescriptor, MappingModelCreationProcess creationProcess) {
        SqmMultiTableInsertStrategy delegate = standard.createInsertStrategy(rootEntityDescriptor, creationProcess);
        return delegate == null ? null : new Insert(delegate);
    }

    private static void check(SqmDmlStatement<?> statement, DomainQueryExecutionContext context) {
        EncryptedQueryCheck.check(statement, context.getSession().getFactory().getMappingMetamodel());
    }

    /** Checks, then lets Hibernate's strategy build the statements; everything else passes straight through. */
    private record Mutation(SqmMultiTableMutationStrategy delegate) implements SqmMultiTableMutationStrategy {

        @Override
        public MultiTableHandlerBuildResult buildHandler(
                SqmDeleteOrUpdateStatement<?> statement,
                DomainParameterXref domainParameterXref,
                DomainQueryExecutionContext context) {
            check(statement, context);
            return delegate.buildHandler(statement, domainParameterXref, context);
        }

        @Override
        public void prepare(MappingModelCreationProcess creationProcess, JdbcConnectionAccess connectionAccess) {
            delegate.prepare(creationProcess, connectionAccess);
        }

        @Override
        public void prepare(MappingModelCreationProcess creationProcess) {
            delegate.prepare(creationProcess);
        }

        @Override
        public void release(SessionFactoryImplementor sessionFactory, JdbcConnectionAccess connectionAccess) {
            delegate.release(sessionFactory, connectionAccess);
        }
    }

    /** As {@link Mutation}, for {@code insert ... select}. */
    private record Insert(SqmMultiTableInsertStrategy delegate) implements SqmMultiTableInsertStrategy {

        @Override
        public MultiTableHandlerBuildResult buildHandler(
                SqmInsertStatement<?> statement,
                DomainParameterXref domainParameterXref,
                DomainQueryExecutionContext context) {
            check(statement, context);
            return delegate.buildHandler(statement, domainParameterXref, context);
        }

        @Override
        public void prepare(MappingModelCreationProcess creationProcess, JdbcConnectionAccess connectionAccess) {
            delegate.prepare(creationProcess, connectionAccess);
        }

        @Override
        public void prepare(MappingModelCreationProcess creationProcess) {
            delegate.prepare(creationProcess);
        }

        @Override
        public void release(SessionFactoryImplementor sessionFactory, JdbcConnectionAccess connectionAccess) {
            delegate.release(sessionFactory, connectionAccess);
        }
    }

    private static final class Initiator implements StandardServiceInitiator<SqmMultiTableMutationStrategyProvider> {

        @Override
        public Class<SqmMultiTableMutationStrategyProvider> getServiceInitiated() {
            return SqmMultiTableMutationStrategyProvider.class;
        }

        @Override
        public SqmMultiTableMutationStrategyProvider initiateService(
                Map<String, Object> configurationValues, ServiceRegistryImplementor registry) {
            return new CheckingMutationStrategies();
        }
    }
}

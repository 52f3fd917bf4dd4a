package io.fieldcrypt.hibernate.internal;

import io.fieldcrypt.FieldCryptException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.function.Supplier;
import org.hibernate.metamodel.MappingMetamodel;
import org.hibernate.metamodel.mapping.BasicValuedModelPart;
import org.hibernate.metamodel.mapping.EmbeddableValuedModelPart;
import org.hibernate.metamodel.mapping.ManagedMappingType;
import org.hibernate.metamodel.mapping.ModelPart;
import org.hibernate.metamodel.model.domain.EmbeddableDomainType;
import org.hibernate.metamodel.model.domain.EntityDomainType;
import org.hibernate.query.sqm.spi.BaseSemanticQueryWalker;
import org.hibernate.query.sqm.tree.SqmStatement;
import org.hibernate.query.sqm.tree.domain.SqmBasicValuedSimplePath;
import org.hibernate.query.sqm.tree.domain.SqmPath;
import org.hibernate.query.sqm.tree.expression.SqmAliasedNodeRef;
import org.hibernate.query.sqm.tree.expression.SqmExpression;
import org.hibernate.query.sqm.tree.expression.SqmFunction;
import org.hibernate.query.sqm.tree.from.SqmFromClause;
import org.hibernate.query.sqm.tree.predicate.SqmNullnessPredicate;
import org.hibernate.query.sqm.tree.predicate.SqmPredicate;
import org.hibernate.query.sqm.tree.predicate.SqmWhereClause;
import org.hibernate.query.sqm.tree.select.SqmDynamicInstantiation;
import org.hibernate.query.sqm.tree.select.SqmJpaCompoundSelection;
import org.hibernate.query.sqm.tree.select.SqmOrderByClause;
import org.hibernate.query.sqm.tree.select.SqmQuerySpec;
import org.hibernate.query.sqm.tree.select.SqmSelectClause;
import org.hibernate.query.sqm.tree.select.SqmSelectableNode;
import org.hibernate.query.sqm.tree.select.SqmSelection;
import org.hibernate.query.sqm.tree.select.SqmSortSpecification;
import org.hibernate.query.sqm.tree.select.SqmSubQuery;
import org.hibernate.query.sqm.tree.update.SqmSetClause;
import org.hibernate.type.descriptor.converter.spi.JpaAttributeConverter;

/**
 * Refuses, when a query is compiled and before any SQL exists, every use of an encrypted attribute that the database
 * would have to evaluate on the stored value: the column holds ciphertext bound to each row (and is read together
 * with the row's key), so a comparison, ordering, grouping, {@code distinct}, function or aggregate over it would
 * silently compute on ciphertext, and a parameter or a bulk update would have to put the plaintext into SQL.
 *
 * <p>Allowed: selecting the attribute in the main query (alone, in a tuple, in a constructor expression) and testing
 * it with {@code is [not] null}. Everything else that reaches the attribute is refused with a
 * {@link FieldCryptException} naming it and what to do instead.
 */
final class EncryptedQueryCheck {

    private final MappingMetamodel metamodel;

    private EncryptedQueryCheck(MappingMetamodel metamodel) {
        this.metamodel = metamodel;
    }

    /**
     * @param statement a statement about to be translated to SQL
     * @param metamodel the factory's mapping model, which tells the encrypted attributes by their converter
     * @throws FieldCryptException if the statement uses an encrypted attribute where the database would evaluate it
     */
    static void check(SqmStatement<?> statement, MappingMetamodel metamodel) {
        statement.accept(new EncryptedQueryCheck(metamodel).new Walker());
    }

    private final class Walker extends BaseSemanticQueryWalker {

        /** Where the walk is, for the message: innermost last. */
        private final Deque<String> clause = new ArrayDeque<>();

        private final Deque<SqmQuerySpec<?>> specs = new ArrayDeque<>();
        private int subqueryDepth;

        @Override
        public Object visitQuerySpec(SqmQuerySpec<?> querySpec) {
            specs.push(querySpec);
            try {
                return super.visitQuerySpec(querySpec);
            } finally {
                specs.pop();
            }
        }

        @Override
        public Object visitSubQueryExpression(SqmSubQuery<?> subquery) {
            subqueryDepth++;
            try {
                return within("a subquery", () -> super.visitSubQueryExpression(subquery));
            } finally {
                subqueryDepth--;
            }
        }

        @Override
        public Object visitSelectClause(SqmSelectClause selectClause) {
            if (selectClause != null && selectClause.isDistinct()) {
                return within("select distinct", () -> super.visitSelectClause(selectClause));
            }
            return within("the select clause", () -> super.visitSelectClause(selectClause));
        }

        @Override
        public Object visitSelection(SqmSelection<?> selection) {
            return selectable(selection.getSelectableNode(), selection);
        }

        @Override
        public Object visitJpaCompoundSelection(SqmJpaCompoundSelection<?> selection) {
            for (SqmSelectableNode<?> item : selection.getSelectionItems()) {
                selectable(item, selection);
            }
            return selection;
        }

        @Override
        public Object visitDynamicInstantiation(SqmDynamicInstantiation<?> instantiation) {
            instantiation.getArguments().forEach(argument -> selectable(argument.getSelectableNode(), instantiation));
            return instantiation;
        }

        /** A selected value: a bare encrypted attribute is fine here (it is opened), unless it must be compared. */
        private Object selectable(SqmSelectableNode<?> node, Object result) {
            boolean distinct =
                    !specs.isEmpty() && specs.peek().getSelectClause().isDistinct();
            if (node instanceof SqmBasicValuedSimplePath<?> && subqueryDepth == 0 && !distinct) {
                return result;
            }
            node.accept(this);
            return result;
        }

        @Override
        public Object visitIsNullPredicate(SqmNullnessPredicate predicate) {
            if (predicate.getExpression() instanceof SqmBasicValuedSimplePath<?>) {
                return predicate;
            }
            return super.visitIsNullPredicate(predicate);
        }

        @Override
        public Object visitFromClause(SqmFromClause fromClause) {
            return within("a join condition", () -> super.visitFromClause(fromClause));
        }

        @Override
        public Object visitWhereClause(SqmWhereClause whereClause) {
            return within("the where clause", () -> super.visitWhereClause(whereClause));
        }

        @Override
        public Object visitSetClause(SqmSetClause setClause) {
            return within("the set clause of a bulk update", () -> super.visitSetClause(setClause));
        }

        @Override
        public Object visitOrderByClause(SqmOrderByClause orderByClause) {
            return within("order by", () -> super.visitOrderByClause(orderByClause));
        }

        @Override
        public Object visitSortSpecification(SqmSortSpecification sort) {
            if (sort.getSortExpression() instanceof SqmAliasedNodeRef reference && !specs.isEmpty()) {
                List<SqmSelection<?>> selections =
                        specs.peek().getSelectClause().getSelections();
                int position = reference.getPosition() - 1;
                if (position >= 0 && position < selections.size()) {
                    selections.get(position).getSelectableNode().accept(this);
                }
            }
            return super.visitSortSpecification(sort);
        }

        @Override
        public Object visitGroupByClause(List<SqmExpression<?>> expressions) {
            return within("group by", () -> super.visitGroupByClause(expressions));
        }

        @Override
        public Object visitHavingClause(SqmPredicate predicate) {
            return within("having", () -> super.visitHavingClause(predicate));
        }

        @Override
        public Object visitFunction(SqmFunction<?> function) {
            return within("the function " + function.getFunctionName() + "()", () -> super.visitFunction(function));
        }

        @Override
        public Object visitBasicValuedPath(SqmBasicValuedSimplePath<?> path) {
            String attribute = encryptedAttribute(path);
            if (attribute != null) {
                String where = clause.isEmpty() ? "a comparison" : clause.peekLast();
                throw new FieldCryptException("query refused: " + attribute + " is @Encrypted and is used in "
                        + where + (subqueryDepth > 0 && !where.equals("a subquery") ? " of a subquery" : "")
                        + ". Its column holds"
                        + " ciphertext bound to each row, so the database cannot compare, order, group, aggregate"
                        + " or pass it to a function, and a parameter would put the plaintext into SQL. Select it"
                        + " (alone, in a tuple or a constructor expression) and work on the plaintext in Java; only"
                        + " 'is null' and 'is not null' may test it");
            }
            return path;
        }

        /** Visits with {@code where} as the innermost clause, for the message. */
        private Object within(String where, Supplier<Object> visit) {
            clause.addLast(where);
            try {
                return visit.get();
            } finally {
                clause.removeLast();
            }
        }
    }

    /**
     * @return {@code Entity.attribute} if {@code path} is an encrypted attribute of an entity or of an embeddable in
     *     it, else {@code null}
     */
    private String encryptedAttribute(SqmPath<?> path) {
        Deque<String> names = new ArrayDeque<>();
        names.push(path.getReferencedPathSource().getPathName());
        SqmPath<?> lhs = path.getLhs();
        while (lhs != null && lhs.getReferencedPathSource().getPathType() instanceof EmbeddableDomainType<?>) {
            names.push(lhs.getReferencedPathSource().getPathName());
            lhs = lhs.getLhs();
        }
        if (lhs == null || !(lhs.getReferencedPathSource().getPathType() instanceof EntityDomainType<?> entity)) {
            return null;
        }
        ManagedMappingType owner = metamodel.getEntityDescriptor(entity.getHibernateEntityName());
        ModelPart attribute = null;
        for (String name : names) {
            // findSubPart also searches subclasses: HQL resolves p.ssn on a superclass path to a subclass attribute.
            attribute = owner == null ? null : owner.findSubPart(name, null);
            owner = attribute instanceof EmbeddableValuedModelPart embedded
                    ? embedded.getEmbeddableTypeDescriptor()
                    : null;
        }
        return attribute instanceof BasicValuedModelPart basic
                        && basic.getJdbcMapping().getValueConverter() instanceof JpaAttributeConverter<?, ?> converter
                        && converter.getConverterBean().getBeanInstance() instanceof GuardConverter guard
                ? guard.label()
                : null;
    }
}

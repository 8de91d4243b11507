#pragma once
// Relations `weft init` guesses where the database declares none: a column of one table named like
// the single-column primary key of another ("ecom_orders.customer_id" -> "ecom_customers.customer_id"),
// or "<singular table name>_id" when that key is just "id" ("orders.customer_id" -> "customers.id",
// with or without the tables' common prefix, and with a role in front: "shipping_address_id" ->
// "addresses.id"). A column that is already part of a declared foreign
// key, or that is its own table's whole primary key (a 1:1 extension table), is never guessed from.
// When several tables have a key of that name, the one whose name matches the column wins; with no
// such winner nothing is guessed. Pure.

#include "source/schema_graph.h"

namespace weft::cli::init {

// Appends the guesses to graph->relations (guessed = true, constraint empty); returns how many.
int AddGuessedRelations(source::SchemaGraph* graph);

}  // namespace weft::cli::init

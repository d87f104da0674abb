import type { Knex } from 'knex';

/** Users and their date of birth; the CHECK mirrors the API's username rule. */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE users (
      username      text        PRIMARY KEY
                                CONSTRAINT users_username_letters CHECK (username ~ '^[A-Za-z]{1,64}$'),
      date_of_birth date        NOT NULL,
      created_at    timestamptz NOT NULL DEFAULT now(),
      updated_at    timestamptz NOT NULL DEFAULT now()
    )
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE users');
}

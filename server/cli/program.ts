/**
 * The command-line interface: `npm run balint -- <command>`, also installed as the `balint` bin.
 * Thin over domain/: parse options, call a domain function, print. Every command takes `--json`
 * for machine-readable output and exits non-zero with a clear message on error.
 */
import { Command, CommanderError, Option } from 'commander'
import { createReadStream, createWriteStream, existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs'
import { basename, join, relative, resolve } from 'node:path'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import type { Deps } from '../domain/deps'
import { exportFiles, recordExportWrite } from '../domain/outcomes/exports'
import { exportCohortQdpx, exportStudyQdc, type QdaFile } from '../domain/qualitative/qda-export'
import { importCohortCsv, startImportParser, type ImportSummary } from '../domain/outcomes/import'
import { cohortReport } from '../domain/outcomes/report'
import { reportCsv, reportMarkdown } from '../domain/outcomes/report-format'
import { checkInstrumentFile, checkTranslationFile, languageProblemsOfFile, translationFilesBeside } from '../domain/instruments/registry'
import { isTranslationFileName } from '../domain/instruments/translations'
import { rescoreResponses } from '../domain/instruments/rescore'
import { addParticipants, createCohort, createStudy, setWave } from '../domain/staff/setup'
import { createDemo } from '../domain/demo/study'
import { participantLink } from '../domain/participation/tokens'
import { ApiError, type FieldProblem } from '../domain/errors'
import { BackupError, backupDatabase, restoreDatabase } from '../db/backup'
import { closeDatabase, describeLocation, openDatabase } from '../db/connection'
import { listWithdrawals, type WithdrawalRecord } from '../db/repositories/participants'
import { reapplyWithdrawals } from '../domain/participation/journey'
import { insertMissingReleaseRows, listReleaseRows } from '../db/repositories/releases'
import { copyDatabase, CopyDatabaseError } from '../db/copy-database'
import { isPostgresUrl } from '../db/postgres'
import { createAccountWithLink, passwordLinkUrl } from '../domain/staff/accounts'
import { grantStudyRole } from '../domain/staff/access'
import { findStaffCredentials, listRolesInStudy } from '../db/repositories/staff'
import { normaliseEmail } from '../domain/staff/auth'
import { userInfo } from 'node:os'
import { staffRole } from '../contracts/staff'
import type { StaffRole } from '../db/schema'
import { createSetupToken } from '../domain/staff/auth'
import { writeFileNoFollow, openNoFollow } from './safe-write'
import { utf8Bom } from '../domain/formats/csv'

export type CliIo = {
  out: (text: string) => void
  err: (text: string) => void
  /** Opens (and migrates) the database and loads the instruments, once, on first use. */
  deps: () => Promise<Deps>
  /** Brings the database to the latest migration; returns the names of the migrations applied. */
  migrate: () => Promise<string[]>
  baseUrl: string
  /** The SQLite file (BALINT_DB), for `backup` and `restore`, which work on the file itself. */
  dbPath?: string
  /** BALINT_DATABASE_URL, when the data are in PostgreSQL: `backup` and `restore` then refuse and point to pg_dump. */
  databaseUrl?: string
}

/** Raised for a command's own input errors; printed without a stack. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly details?: unknown,
  ) {
    super(message)
  }
}

const actor = 'cli'
const postgresBackupAdvice = 'backup and restore work on the SQLite file; with BALINT_DATABASE_URL, back up PostgreSQL with pg_dump or point-in-time recovery (README, "Multi-site deployment")'
const waveKinds = ['pre', 'post', 'follow-up'] as const

function list(value: string): string[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
}

function positiveInt(name: string) {
  return (value: string) => {
    if (!/^\d+$/.test(value)) throw new CliError(`--${name} must be a whole number, not "${value}"`)
    return Number(value)
  }
}

export function buildProgram(io: CliIo): Command {
  const program = new Command('balint')
    .description('Balint Outcomes: set up studies, cohorts, participants and waves')
    .option('--json', 'print machine-readable JSON')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s.replace(/\n$/, '')), writeErr: (s) => io.err(s.replace(/\n$/, '')) })
    .showHelpAfterError()

  const json = (): boolean => program.opts().json === true
  /** Print JSON with --json, else the human text. */
  const print = (data: unknown, text: () => string) => io.out(json() ? JSON.stringify(data, null, 2) : text())

  program
    .command('migrate')
    .description('create the database if needed and apply every pending migration')
    .action(async () => {
      const applied = await io.migrate()
      print({ applied }, () => (applied.length ? `Applied ${applied.join(', ')}` : 'The database is up to date.'))
    })

  const study = program.command('study').description('studies')
  study
    .command('create')
    .requiredOption('--name <name>', 'the study name')
    .option('--language <code>', "participants' pages open in this language: en or fa", 'en')
    .option('--time-zone <zone>', "IANA time zone whose days the waves follow (default: the server's)")
    .action(async (opts: { name: string; language: string; timeZone?: string }) => {
      const created = await createStudy(await io.deps(), { name: opts.name, language: opts.language, timeZone: opts.timeZone }, actor)
      print(created, () => created.id)
    })

  const cohort = program.command('cohort').description('cohorts: closed Balint groups')
  cohort
    .command('create')
    .requiredOption('--study <id>', 'the study id')
    .requiredOption('--name <name>', 'the cohort name')
    .option('--leader <name>', 'the group leader')
    .option('--co-leaders <names>', 'co-leaders, comma-separated', list)
    .option('--first-session <date>', 'day of the first group session, YYYY-MM-DD, in the study\'s time zone (default: today there)')
    .option('--sessions <n>', 'number of group sessions, twice a week (default 8)', positiveInt('sessions'))
    .action(async (opts: { study: string; name: string; leader?: string; coLeaders?: string[]; firstSession?: string; sessions?: number }) => {
      const firstSession = opts.firstSession
      if (firstSession !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(firstSession)) throw new CliError(`--first-session must be a day, YYYY-MM-DD, not "${firstSession}"`)
      const created = await createCohort(
        await io.deps(),
        { studyId: opts.study, name: opts.name, leader: opts.leader, coLeaders: opts.coLeaders, firstSession, sessions: opts.sessions },
        actor,
      )
      print(created, () => created.id)
    })

  program
    .command('participants')
    .description('participants')
    .command('add')
    .requiredOption('--cohort <id>', 'the cohort id')
    .requiredOption('--count <n>', 'how many participants to add', positiveInt('count'))
    .action(async (opts: { cohort: string; count: number }) => {
      const created = await addParticipants(await io.deps(), { cohortId: opts.cohort, count: opts.count }, actor)
      const rows = created.map((p) => ({ id: p.id, code: p.code, link: participantLink(io.baseUrl, p.token) }))
      print(rows, () => rows.map((r) => `${r.code}\t${r.link}`).join('\n'))
    })

  program
    .command('wave')
    .description('waves of questionnaires')
    .command('set')
    .requiredOption('--cohort <id>', 'the cohort id')
    .addOption(new Option('--wave <kind>', 'which wave').choices(waveKinds).makeOptionMandatory())
    .requiredOption('--opens <date>', "first day it is open (YYYY-MM-DD, a day in the study's time zone)")
    .requiredOption('--closes <date>', "last day it is open (YYYY-MM-DD, a day in the study's time zone)")
    .requiredOption('--instruments <ids>', 'questionnaire ids in order, comma-separated', list)
    .option('--confirm-overlap', 'allow the wave to overlap another wave of the cohort')
    .option('--confirm-date-change', 'allow changing the dates of a wave that already has answers')
    .option('--confirm-removal', 'allow taking out of the wave questionnaires that already have answers in it')
    .action(async (opts: { cohort: string; wave: (typeof waveKinds)[number]; opens: string; closes: string; instruments: string[]; confirmOverlap?: boolean; confirmDateChange?: boolean; confirmRemoval?: boolean }) => {
      const wave = await setWave(
        await io.deps(),
        { cohortId: opts.cohort, kind: opts.wave, opens: opts.opens, closes: opts.closes, instruments: opts.instruments, confirmOverlap: opts.confirmOverlap, confirmDateChange: opts.confirmDateChange, confirmRemoval: opts.confirmRemoval },
        actor,
      )
      // Found by a newcomer's walk-through: the README's example dates, copied months later, made a
      // wave nobody could answer, and nothing said so.
      const closed = Date.parse(wave.closesAt) <= (await io.deps()).now().getTime() ? ['note: this wave has already closed (its last day is past): no participant can answer it.'] : []
      print(wave, () => [`${wave.kind}: open ${wave.opensAt} to ${wave.closesAt} (UTC instants) with ${wave.instruments.join(', ')}`, ...wave.warnings.map((w) => `note: ${w.message}`), ...closed].join('\n'))
    })

  const instruments = program.command('instruments').description('questionnaires, forms and interview guides')
  instruments
    .command('list')
    .description('every loaded instrument: shipped ones and the team\'s own (BALINT_INSTRUMENTS)')
    .action(async () => {
      const registry = (await io.deps()).instruments
      const all = [...registry.list(), ...registry.guides()].map((i) => ({
        id: i.id,
        version: i.version,
        kind: i.kind,
        title: typeof i.title === 'string' ? i.title : (i.title.default ?? i.title.en ?? Object.values(i.title)[0]),
        scales: i.kind === 'questionnaire' ? i.scoring.scales.map((s) => s.id) : [],
        licence: i.licence.name,
        file: i.file,
      }))
      print(all, () => all.map((i) => `${i.id}@${i.version}\t${i.kind}\t${i.title}${i.scales.length ? `\t(${i.scales.join(', ')})` : ''}`).join('\n'))
    })
  instruments
    .command('check <file>')
    .description('validate an instrument file and explain what is wrong')
    .action(async (file: string) => {
      // A translation file (phq-9.fa.json) is checked against its instrument: every text, nothing more.
      if (isTranslationFileName(basename(file))) {
        const checked = checkTranslationFile(resolve(file), file)
        if (!checked.ok) throw new CliError(`${file} is not a valid translation:\n${checked.problems.map((p) => `  ${p.field || '(file)'}: ${p.message}`).join('\n')}`, checked.problems)
        const tr = checked.translation
        print({ ok: true, ...tr }, () => `${file}: ${tr.language} translation of ${tr.translationOf}@${tr.version} covers all ${tr.texts} texts (${tr.validated ? 'validated' : 'not a validated translation'}; source: ${tr.source})`)
        return
      }
      const result = checkInstrumentFile(resolve(file), file)
      if (!result.ok) throw new CliError(`${file} is not a valid instrument file:\n${result.problems.map((p) => `  ${p.field || '(file)'}: ${p.message}`).join('\n')}`, result.problems)
      const i = result.instrument
      // And the translations beside it: what each is missing.
      const translations = translationFilesBeside(resolve(file)).map((path) => ({ file: relative(process.cwd(), path) || path, result: checkTranslationFile(path, relative(process.cwd(), path) || path) }))
      const broken = translations.flatMap((t) => (t.result.ok ? [] : t.result.problems))
      if (broken.length > 0) throw new CliError(`${file} is valid, but a translation beside it is not:\n${broken.map((p) => `  ${p.file}: ${p.field || '(file)'}: ${p.message}`).join('\n')}`, broken)
      const gaps = languageProblemsOfFile(resolve(file), file)
      if (gaps.length > 0) throw new CliError(`${file} lists a language some of its texts are not given in (the server leaves that language out):\n${gaps.map((p) => `  ${p.field}: ${p.message}`).join('\n')}`, gaps)
      const languages = [...new Set([...i.languages, ...translations.flatMap((t) => (t.result.ok ? [t.result.translation.language] : []))])]
      const questions = i.questions.length
      print({ ok: true, id: i.id, version: i.version, kind: i.kind, questions, languages }, () => `${file}: ${i.id}@${i.version} is valid (${i.kind}, ${questions} questions; languages: ${languages.join(', ')})`)
    })

  instruments
    .command('rescore')
    .description('recompute stored scale scores with the current scoring of each response\'s instrument version (after a scoring rule was mended); shows what changes, stores it with --apply')
    .option('--instrument <id>', 'only this instrument')
    .option('--apply', 'store the recomputed scores (in one transaction, audited); without it nothing is written')
    .action(async (opts: { instrument?: string; apply?: boolean }) => {
      const summary = await rescoreResponses(await io.deps(), { instrument: opts.instrument, apply: opts.apply === true }, actor)
      const show = (v: number | null | undefined) => (v === null || v === undefined ? '–' : String(Math.round(v * 1000) / 1000))
      print(summary, () =>
        [
          ...summary.instruments.map((i) =>
            [
              `${i.instrument}@${i.version}: ${i.responses} complete responses, ${i.changedResponses} with scores that ${summary.applied ? 'were' : 'would be'} changed` +
                (i.flagsNotRaised + i.flagsNoLongerMet > 0 ? `; flags left as stored: ${i.flagsNotRaised} the current rule would raise, ${i.flagsNoLongerMet} it would not` : ''),
              ...i.changes.slice(0, 20).map((c) => `  response ${c.responseId} ${c.scale}: ${show(c.before?.score)} → ${show(c.after?.score)}`),
              ...(i.changes.length > 20 ? [`  … and ${i.changes.length - 20} more (--json lists them all)`] : []),
            ].join('\n'),
          ),
          summary.applied || summary.instruments.every((i) => i.changedResponses === 0) ? '' : 'Nothing was written. Run again with --apply to store the recomputed scores.',
        ]
          .filter(Boolean)
          .join('\n'),
      )
    })

  program
    .command('import')
    .description('import earlier answers from a long CSV (participant,wave,instrument,item,value), all or nothing')
    .requiredOption('--cohort <id>', 'the cohort id')
    .requiredOption('--file <path>', 'the CSV file')
    .option('--dry-run', 'check the whole file and report what would be imported, without writing')
    .action(async (opts: { cohort: string; file: string; dryRun?: boolean }) => {
      // Streamed: the file is read as it is checked, never held whole (a file of any size fits in memory).
      let csv: ReturnType<typeof createReadStream>
      try {
        const fd = openSync(resolve(opts.file), 'r')
        csv = createReadStream('', { fd })
      } catch (error) {
        throw new CliError(`cannot read ${opts.file}: ${(error as Error).message}`)
      }
      // The CSV parser's thread starts on the other core while the database is opened and migrated;
      // the import closes it, and so does a failure to open the database.
      const parser = startImportParser()
      let deps: Deps
      try {
        deps = await io.deps()
      } catch (error) {
        await parser.close()
        throw error
      }
      const summary = await importCohortCsv(deps, { cohortId: opts.cohort, csv, dryRun: opts.dryRun === true, parser }, actor)
      print(summary, () => importText(opts.file, summary))
    })

  program
    .command('report')
    .description('the cohort report: paired tests, effect sizes and reliable change for every scale')
    .requiredOption('--cohort <id>', 'the cohort id')
    .addOption(new Option('--from <wave>', 'the first wave').choices(waveKinds).default('pre'))
    .addOption(new Option('--to <wave>', 'the second wave').choices(waveKinds).default('post'))
    .addOption(new Option('--format <format>', 'json, csv (one row per scale) or md').choices(['json', 'csv', 'md']).default('md'))
    .action(async (opts: { cohort: string; from: (typeof waveKinds)[number]; to: (typeof waveKinds)[number]; format: 'json' | 'csv' | 'md' }) => {
      const report = await cohortReport(await io.deps(), opts.cohort, { from: opts.from, to: opts.to })
      const format = json() ? 'json' : opts.format
      io.out(format === 'json' ? JSON.stringify(report, null, 2) : format === 'csv' ? reportCsv(report).trimEnd() : reportMarkdown(report).trimEnd())
    })

  program
    .command('export')
    .description('write the researcher exports of a cohort: long and wide CSV, data dictionary and R script')
    .requiredOption('--cohort <id>', 'the cohort id')
    .requiredOption('--out <folder>', 'the folder to write to; created if needed, files of the same names are replaced')
    .option('--bom', 'start each CSV with a UTF-8 byte-order mark, for Excel')
    .action(async (opts: { cohort: string; out: string; bom?: boolean }) => {
      const deps = await io.deps()
      const files = await exportFiles(deps, opts.cohort)
      const folder = resolve(opts.out)
      try {
        mkdirSync(folder, { recursive: true, mode: 0o700 })
      } catch (error) {
        throw new CliError(`cannot create ${opts.out}: ${(error as Error).message}`)
      }
      await recordExportWrite(deps, opts.cohort, files.map((f) => f.name), folder, actor)
      const written: string[] = []
      for (const file of files) {
        const path = join(folder, file.name)
        // Streamed to disk chunk by chunk, as the web app streams a download.
        // Never through a symlink already in the folder: it could point anywhere (0600, O_NOFOLLOW).
        const bom = opts.bom === true && file.name.endsWith('.csv')
        await pipeline(Readable.from(withPrefix(bom ? utf8Bom : '', file.generate())), createWriteStream(path, { fd: openNoFollow(path) }))
        written.push(path)
      }
      print({ cohortId: opts.cohort, folder, files: written }, () => written.join('\n'))
    })

  /** Write an exported file where --out says; a folder that does not exist is an error, not created. */
  const writeQdaFile = (file: QdaFile, out: string) => {
    try {
      writeFileNoFollow(out, file.bytes)
    } catch (error) {
      throw new CliError(`cannot write ${out}: ${(error as Error).message}`)
    }
  }

  program
    .command('export-qdpx')
    .description('write a cohort as a REFI-QDA project (.qdpx) for MAXQDA, NVivo, ATLAS.ti or QualCoder: transcripts, codebook, codings, memos, participants with demographics')
    .requiredOption('--cohort <id>', 'the cohort id')
    .requiredOption('--out <file>', 'the .qdpx file to write (replaced if it exists)')
    .action(async (opts: { cohort: string; out: string }) => {
      const out = resolve(opts.out)
      const file = await exportCohortQdpx(await io.deps(), opts.cohort, { actor, destination: { file: out } })
      writeQdaFile(file, out)
      print({ cohortId: opts.cohort, file: out, bytes: file.bytes.length }, () => out)
    })

  program
    .command('export-qdc')
    .description("write a study's codebook as a REFI-QDA codebook (.qdc)")
    .requiredOption('--study <id>', 'the study id')
    .requiredOption('--out <file>', 'the .qdc file to write (replaced if it exists)')
    .action(async (opts: { study: string; out: string }) => {
      const out = resolve(opts.out)
      const file = await exportStudyQdc(await io.deps(), opts.study, { actor, destination: { file: out } })
      writeQdaFile(file, out)
      print({ studyId: opts.study, file: out, bytes: file.bytes.length }, () => out)
    })

  program
    .command('demo')
    .description('create a demo study: a completed cohort of 12 (invented data) and a cohort of 8 with links to try')
    .action(async () => {
      const demo = await createDemo(await io.deps(), actor)
      const links = demo.participants.map((p) => ({ code: p.code, link: participantLink(io.baseUrl, p.token) }))
      print({ studyId: demo.study.id, cohortId: demo.cohort.id, completedCohortId: demo.completedCohort.id, participants: links }, () =>
        [
          `Demo study ${demo.study.id}.`,
          `Cohort ${demo.completedCohort.id} (${demo.completedCohort.name}): 12 participants with invented pre and post answers. Its report:`,
          `  npm run balint -- report --cohort ${demo.completedCohort.id}`,
          `Cohort ${demo.cohort.id} (${demo.cohort.name}): its pre questionnaires are open now (the post wave opens after the pre wave closes). Participant links:`,
          ...links.map((l) => `  ${l.code}\t${l.link}`),
          `To open the study in the web app, give your staff account a role in it:`,
          `  npm run balint -- role grant --study ${demo.study.id} --email <your email> --role researcher`,
        ].join('\n'),
      )
    })

  program
    .command('backup')
    .description('write a consistent copy of the database while the server runs (SQLite VACUUM INTO)')
    .requiredOption('--out <file>', 'the backup file to write (0600); an existing file is replaced only when the new copy is whole')
    .action(async (opts: { out: string }) => {
      if (io.databaseUrl) throw new CliError(postgresBackupAdvice)
      if (!io.dbPath) throw new CliError('backup needs the database file (BALINT_DB)')
      const result = await wrapBackup(() => backupDatabase(io.dbPath!, opts.out))
      print(result, () => `Backed up ${io.dbPath} to ${result.file} (${result.bytes} bytes).`)
    })

  program
    .command('restore <file>')
    .description('put a backup back as the database, after checking it; the server must be stopped. The current database is kept beside it')
    .action(async (file: string) => {
      if (io.databaseUrl) throw new CliError(postgresBackupAdvice)
      if (!io.dbPath) throw new CliError('restore needs the database file (BALINT_DB)')
      const restored = await wrapBackup(() => restoreDatabase(file, io.dbPath!))
      // A withdrawal made after the backup was taken is made again: a restore never brings back a
      // participant who withdrew, nor the data of one who asked for deletion.
      // So are the releases made after it: program leads have read them, and a later release must
      // still be checked against them (else two releases could differ by one person's answers).
      let withdrawals: WithdrawalRecord[] = []
      let releases: Awaited<ReturnType<typeof listReleaseRows>> = { cohortWide: [], studyWide: [] }
      if (restored.previous) {
        const previous = openDatabase(restored.previous)
        try {
          withdrawals = await listWithdrawals(previous)
          releases = await listReleaseRows(previous)
        } finally {
          await closeDatabase(previous)
        }
      }
      const deps = await io.deps()
      const reapplied = withdrawals.length > 0 ? await reapplyWithdrawals(deps, withdrawals) : { withdrawn: 0, deleted: 0 }
      const releasesKept = await deps.db.transaction().execute((trx) => insertMissingReleaseRows(trx, releases))
      const result = { ...restored, reapplied, releasesKept }
      print(result, () =>
        [
          `Restored ${file} as ${result.database}.`,
          result.previous ? `The database it replaced is kept as ${result.previous}.` : '',
          result.migrated.length ? `Migrated: ${result.migrated.join(', ')}.` : '',
          reapplied.withdrawn || reapplied.deleted ? `Withdrawals made after the backup, made again: ${reapplied.withdrawn} participants withdrawn, the data of ${reapplied.deleted} deleted.` : '',
          releasesKept.stored ? `Releases made after the backup, kept: ${releasesKept.stored}.` : '',
          releasesKept.notStored.length
            ? `Releases made after the backup whose study, cohort or releasing staff member the backup lacks, not kept: ${releasesKept.notStored.join(', ')}. Until they are made again, a new release of those cohorts is not checked against them.`
            : '',
        ]
          .filter(Boolean)
          .join('\n'),
      )
    })

  program
    .command('copy-database')
    .description('copy every row of a SQLite database into an empty PostgreSQL database, in one transaction, checked by counts and checksums')
    .requiredOption('--from <file>', 'the SQLite database file (stop the server first)')
    .requiredOption('--to <url>', 'the PostgreSQL database, postgres://user:password@host:5432/name (created empty with the C locale)')
    .action(async (opts: { from: string; to: string }) => {
      if (isPostgresUrl(opts.from) || !existsSync(opts.from)) throw new CliError(`--from must be an existing SQLite database file, not "${describeLocation(opts.from)}"`)
      if (!isPostgresUrl(opts.to)) throw new CliError(`--to must be a postgres:// address, not "${opts.to}"`)
      const source = openDatabase(opts.from)
      const target = openDatabase(opts.to)
      try {
        const report = await copyDatabase(source, target)
        const rows = report.tables.reduce((sum, t) => sum + t.rows, 0)
        print(report, () =>
          [`Copied ${rows} rows in ${report.tables.length} tables from ${opts.from} to ${describeLocation(opts.to)}; every table read back with the same count and SHA-256:`, ...report.tables.map((t) => `  ${t.table}\t${t.rows}\t${t.sha256}`)].join('\n'),
        )
      } catch (error) {
        if (error instanceof CopyDatabaseError) throw new CliError(error.message)
        throw error
      } finally {
        await source.destroy()
        await target.destroy()
      }
    })

  const role = program.command('role').description("staff roles in a study (a study made here has none: give one to open it in the web app)")
  role
    .command('grant')
    .description('give the staff account with this email a role in a study; granting one held already changes nothing')
    .requiredOption('--study <id>', 'the study id')
    .requiredOption('--email <email>', 'the email of an existing staff account (see "admin create")')
    .addOption(new Option('--role <role>', 'the role').choices(staffRole.options).makeOptionMandatory())
    .option('--force', 'grant it although the study has a researcher already (who can add staff on its Staff tab)')
    .action(async (opts: { study: string; email: string; role: StaffRole; force?: boolean }) => {
      const deps = await io.deps()
      // For a study no one can open yet; a study with a researcher is theirs to staff, in the web app.
      // An account that does not exist, or already holds the role, is said as such first (found by a
      // newcomer's walk-through: both were told to use --force).
      const roles = await listRolesInStudy(deps.db, opts.study)
      const account = await findStaffCredentials(deps.db, normaliseEmail(opts.email))
      const holds = account !== undefined && roles.some((r) => r.userId === account.id && r.role === opts.role)
      if (account && !holds && roles.some((r) => r.role === 'researcher') && !opts.force) throw new CliError(`study ${opts.study} has a researcher already, who can add staff on its Staff tab; grant it here anyway with --force`)
      const granted = await grantStudyRole(deps, { studyId: opts.study, email: opts.email, role: opts.role }, actor, { osUser: userInfo().username })
      print(granted, () => (granted.granted ? `${granted.email} is now ${granted.role} in study ${opts.study}.` : `${granted.email} was ${granted.role} in study ${opts.study} already.`))
    })

  const admin = program.command('admin').description('staff accounts, for operators')
  admin
    .command('create')
    .description('create a staff account (an administrator unless --no-admin) and print a one-time link, valid 7 days, where its owner chooses a password')
    .requiredOption('--email <email>', 'the account email')
    .option('--name <name>', 'the person\'s name (default: the email)')
    .option('--no-admin', 'an ordinary staff account')
    .action(async (opts: { email: string; name?: string; admin: boolean }) => {
      if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(opts.email.trim())) throw new CliError(`--email must be an email address, not "${opts.email}"`)
      const made = await createAccountWithLink(await io.deps(), { email: opts.email, name: opts.name ?? opts.email.trim(), isAdmin: opts.admin }, actor)
      const link = passwordLinkUrl(io.baseUrl, made.token)
      print({ userId: made.user.id, email: made.user.email, isAdmin: made.user.isAdmin, link, expiresAt: made.expiresAt }, () =>
        [`Created ${made.user.isAdmin ? 'administrator' : 'staff account'} ${made.user.email}.`, `Its owner chooses a password at this one-time link (valid until ${made.expiresAt}):`, `  ${link}`].join('\n'),
      )
    })
  admin
    .command('setup-link')
    .description('print a new one-time set-up link for the first administrator (only while no administrator can sign in)')
    .action(async () => {
      const token = await createSetupToken(await io.deps())
      if (!token) throw new CliError('an administrator already exists: sign in, or use "admin create --email …" for another account')
      const link = `${io.baseUrl.replace(/\/+$/, '')}/setup/${token}`
      print({ link }, () => `Create the first administrator at this one-time link (it works for 24 hours):\n  ${link}`)
    })

  return program
}

async function* withPrefix(prefix: string, chunks: AsyncIterable<string>): AsyncIterable<string> {
  if (prefix) yield prefix
  yield* chunks
}

/** Backup errors are the operator's to fix: printed as plain CLI errors. */
async function wrapBackup<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run()
  } catch (error) {
    if (error instanceof BackupError) throw new CliError(error.message)
    throw error
  }
}

function importText(file: string, s: ImportSummary): string {
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`
  return [
    s.dryRun ? `Dry run: ${file} is valid. Nothing was written; importing it would store:` : `Imported ${file}:`,
    `  ${plural(s.rows, 'line')} read`,
    `  ${plural(s.participants.created + s.participants.existing, 'participant')}: ${s.participants.created} new, ${s.participants.existing} already in the cohort`,
    `  ${plural(s.waves.created + s.waves.existing, 'wave')}: ${s.waves.created} new, ${s.waves.existing} already in the cohort`,
    `  ${plural(s.responses, 'completed response')} with ${plural(s.answers, 'answer')}, questionnaires scored`,
    ...(s.emptyForms > 0 ? [`  ${plural(s.emptyForms, 'form')} with no item answered, not stored`] : []),
    ...(s.safetyFlags > 0 ? [`  ${plural(s.safetyFlags, 'safety flag')} raised by the imported answers`] : []),
  ].join('\n')
}

type LineProblem = { line: number; column: string; message: string }

/** Problems that point into a file (an import): printed one per line, as an editor would list them. */
function lineProblems(details: unknown): LineProblem[] | undefined {
  if (!Array.isArray(details) || details.length === 0) return undefined
  const ok = details.every((d) => typeof d === 'object' && d !== null && typeof d.line === 'number' && typeof d.column === 'string' && typeof d.message === 'string')
  return ok ? (details as LineProblem[]) : undefined
}

/** Run the CLI; returns the process exit code. Errors are printed, never thrown. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const program = buildProgram(io)
  try {
    await program.parseAsync(argv, { from: 'user' })
    return 0
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2
    const asJson = argv.includes('--json')
    if (error instanceof ApiError || error instanceof CliError) {
      const details = error instanceof ApiError ? (error.details as FieldProblem[] | undefined) : error.details
      const problems = lineProblems(details)
      if (asJson) io.err(JSON.stringify({ error: { code: error instanceof ApiError ? error.code : 'invalid_arguments', message: error.message, details } }))
      else if (problems) {
        io.err(`error: ${problems.length === 1 ? 'a problem' : `${problems.length} problems`} found; nothing was written`)
        for (const p of problems) io.err(`line ${p.line}, column ${p.column}: ${p.message}`)
      } else io.err(`error: ${error.message}`)
      return 1
    }
    io.err(`error: ${(error as Error).message}`)
    return 1
  }
}

/**
 * The demo study's interviews: eight transcripts written for this project, a codebook, and how two
 * coders coded them. Everything here is invented. No sentence is anyone's real words: the
 * transcripts were written in our own words around the themes Sheikhoonesi et al. (2021) report
 * for an online Balint group of front-line clinicians (fear and anger toward COVID-19 patients
 * softening, feeling heard, the group as peer supervision, security to share, the leaders' part,
 * cameras off, missing body language, dropped connections), and quote nothing from that paper.
 *
 * Reference: Sheikhoonesi F, Rezapour M, Azizpour M, Ghafour I. Front-line medical staff experience
 * about the novel psychological intervention of brief and online Balint group: a qualitative study
 * in Iran during the COVID-19 outbreak. Iran J Psychiatry Behav Sci. 2021;15(2):e107102.
 *
 * The data are shaped so that the analyses have something to show at once:
 * - the interviews are held in the order listed, and the last two add no code the first six had not
 *   already used (code saturation);
 * - the coders agree on most passages and disagree on a few: a passage only one of them coded, a
 *   passage they gave different codes, and a passage one of them coded wider than the other;
 * - every code has a Table 2 quotation, and two participants have answered about theirs.
 *
 * The participants' words fit the demo's invented demographics: P4 is the medical student, P2 works
 * in intensive care, and P6, whose scores did not improve, had the most trouble with the online format.
 */

/** Keys of the demo codebook's codes. */
export type DemoCodeKey =
  | 'fear'
  | 'anger'
  | 'patientsSide'
  | 'peerSupervision'
  | 'heard'
  | 'notAlone'
  | 'firstUnease'
  | 'activeLeaders'
  | 'safeToShare'
  | 'fromAnywhere'
  | 'bodyLanguage'
  | 'camerasOff'
  | 'connection'

type DemoNode = { name: string; description: string }

/** The codebook: three themes, their categories, and thirteen codes, named and described in our own words. */
export const demoCodebook: (DemoNode & { categories: (DemoNode & { codes: (DemoNode & { key: DemoCodeKey })[] })[] })[] = [
  {
    name: 'Effects of the Balint group',
    description: 'What taking part changed for the participants.',
    categories: [
      {
        name: 'Relationship with COVID-19 patients',
        description: 'How the participants felt about and related to the patients they cared for.',
        codes: [
          { key: 'fear', name: 'Fear of patients easing', description: 'Less afraid of being near, or caring for, patients with COVID-19.' },
          { key: 'anger', name: 'Anger at patients softening', description: 'Less angry or resentful toward patients or families blamed for the illness or for putting staff at risk.' },
          { key: 'patientsSide', name: "Seeing the patient's side", description: "Understanding a patient's behaviour from the patient's point of view; more patience and sympathy." },
        ],
      },
      {
        name: 'Learning',
        description: 'The group as a place to learn.',
        codes: [{ key: 'peerSupervision', name: 'Like peer supervision', description: "Learning from colleagues' views of a case, as in supervision among peers." }],
      },
      {
        name: "Clinicians' own feelings",
        description: 'What the group did for the feelings the participants carried.',
        codes: [
          { key: 'heard', name: 'Feeling heard', description: "Being listened to; having one's feelings taken seriously without being fixed or judged." },
          { key: 'notAlone', name: 'Not the only one', description: 'Finding that colleagues had the same fears, anger or thoughts.' },
        ],
      },
    ],
  },
  {
    name: 'Structure of the group',
    description: 'How the group was set up and run.',
    categories: [
      {
        name: 'The first session',
        description: 'The start of the group, before its way of working was familiar.',
        codes: [{ key: 'firstUnease', name: 'Unease at the start', description: 'Discomfort, confusion or mistrust in the first session.' }],
      },
      {
        name: 'Leaders',
        description: "The leaders' part in the group.",
        codes: [{ key: 'activeLeaders', name: 'Leaders who step in', description: 'Leaders took an active part, kept the group on the case and protected members from judgement.' }],
      },
      {
        name: 'Safety in the group',
        description: 'Whether the group felt safe enough to speak in.',
        codes: [{ key: 'safeToShare', name: 'Safe enough to share', description: 'Feeling secure to say difficult things, trusting that they stay in the group.' }],
      },
    ],
  },
  {
    name: 'Virtuality of the group',
    description: 'Meeting online rather than in a room.',
    categories: [
      {
        name: 'Gains of meeting online',
        description: 'What the online format made possible.',
        codes: [{ key: 'fromAnywhere', name: 'Taking part from anywhere', description: 'Joining from home or work, or with colleagues from other cities, without travelling.' }],
      },
      {
        name: 'Losses of meeting online',
        description: 'What the online format took away or made harder.',
        codes: [
          { key: 'bodyLanguage', name: 'Missing body language', description: "Not seeing posture, gestures or silences, and so missing how others felt." },
          { key: 'camerasOff', name: 'Unsettled by cameras off', description: "Others' cameras being off made some members feel insecure or watched." },
          { key: 'connection', name: 'Connection problems', description: 'Dropped calls, frozen pictures or lost sound.' },
        ],
      },
    ],
  },
]

/**
 * One passage a coder coded. `by` is the coder who coded it when only one did; without it both
 * coders coded exactly this passage with this code. `quote` marks coder A's coding chosen as the
 * code's meaning unit in Table 2.
 */
export type DemoCoding = { code: DemoCodeKey; text: string; by?: 'A' | 'B'; quote?: true }

export type DemoInterview = {
  participant: string
  text: string
  codings: DemoCoding[]
  /** The participant's answers about their Table 2 quotations (by code), if any. */
  memberChecks?: { code: DemoCodeKey; decision: 'confirm' | 'comment'; comment: string | null }[]
}

/** The interviews, in the order they were held. */
export const demoInterviews: DemoInterview[] = [
  {
    participant: 'P1',
    text: `Interviewer: Thank you for making time for this. Looking back over the eight sessions, how was taking part in the online group for you?
P1: Better than I expected, honestly. I came in thinking it would be one more meeting on a screen, and it turned into the evening of the week I looked forward to.
Interviewer: What made it something to look forward to?
P1: We brought real cases, the ones that stay with you on the drive home. Hearing how the others thought about my patient taught me more than most of the courses I have sat through. It felt like supervision, only from people doing the same job as me.
Interviewer: Can you say more about that?
P1: On the ward nobody has time to ask why a patient gets under your skin. In the group that was the whole point. Someone would say, maybe she is frightened of dying alone, and suddenly the case looked different.
Interviewer: What did you find interesting or surprising?
P1: The leaders. Years ago I was in a group where the leader hardly spoke, and I found that cold. Here they joined in. When the talk drifted into hospital politics they brought us back to the patient, gently but firmly.
Interviewer: How did that feel?
P1: Like someone was holding the frame so the rest of us could be honest.
Interviewer: How safe did you feel to say what you were thinking and feeling?
P1: Safe enough, after a while. I said things about a patient's family that I would never say in the staff room. Nobody looked shocked, and nobody repeated it afterwards, as far as I know.
Interviewer: Was that different because the group was online?
P1: For feeling safe, I don't think the screen mattered either way. What mattered was who was there and how the leaders ran it.
Interviewer: And practically?
P1: Practically it was a gift. I joined from my kitchen table after a late shift. If I had needed to cross the city for it, I would have stopped going by the third week.
Interviewer: Has taking part changed how you see your relationships with patients?
P1: A little. I listen a bit longer before I decide what kind of patient someone is.
Interviewer: Did anything about the group disappoint you?
P1: Sometimes a session ended just as it got going. Ninety minutes is not long when eight tired people are trying to think together.
Interviewer: And the difficult feelings you had, about patients, work or yourself?
P1: The biggest thing was being listened to. At work you report, you hand over, you chart. In the group someone asked how I was, and then waited for the answer.
Interviewer: How did you manage the evenings after a hard session?
P1: I would sit with a cup of tea for ten minutes before going to bed. The cases stayed with me, but differently — less like a weight, more like questions.
Interviewer: Is there anything else you want to add?
P1: Only that I would join again. I have already told two colleagues to ask about the next group.`,
    codings: [
      { code: 'peerSupervision', by: 'A', text: 'Hearing how the others thought about my patient taught me more than most of the courses I have sat through. It felt like supervision, only from people doing the same job as me.' },
      { code: 'peerSupervision', by: 'B', text: 'It felt like supervision, only from people doing the same job as me.' },
      { code: 'peerSupervision', by: 'A', text: 'Someone would say, maybe she is frightened of dying alone, and suddenly the case looked different.' },
      { code: 'patientsSide', by: 'B', text: 'Someone would say, maybe she is frightened of dying alone, and suddenly the case looked different.' },
      { code: 'activeLeaders', text: 'Here they joined in. When the talk drifted into hospital politics they brought us back to the patient, gently but firmly.' },
      { code: 'activeLeaders', by: 'A', text: 'Like someone was holding the frame so the rest of us could be honest.' },
      { code: 'safeToShare', by: 'B', text: 'Like someone was holding the frame so the rest of us could be honest.' },
      { code: 'safeToShare', quote: true, text: "I said things about a patient's family that I would never say in the staff room. Nobody looked shocked, and nobody repeated it afterwards, as far as I know." },
      { code: 'safeToShare', text: "For feeling safe, I don't think the screen mattered either way." },
      { code: 'fromAnywhere', quote: true, text: 'I joined from my kitchen table after a late shift. If I had needed to cross the city for it, I would have stopped going by the third week.' },
      { code: 'patientsSide', text: 'I listen a bit longer before I decide what kind of patient someone is.' },
      { code: 'heard', text: 'In the group someone asked how I was, and then waited for the answer.' },
    ],
    memberChecks: [{ code: 'safeToShare', decision: 'confirm', comment: null }],
  },
  {
    participant: 'P2',
    text: `Interviewer: Thank you for talking with me. Looking back, how was taking part in the online group for you?
P2: It took me a while to warm to it. The first evening I nearly left after twenty minutes.
Interviewer: What happened that first evening?
P2: Nothing dramatic. I just did not understand the rules yet. One person brings a case and then goes quiet, and everyone else talks about it as if the presenter were not there. I sat there wondering what I was supposed to do.
Interviewer: And after that?
P2: By the second or third session I understood. The strangeness is the point: the presenter gets to listen without defending themselves.
Interviewer: What did you find interesting or surprising?
P2: That I was not the only one who was scared. In intensive care you learn to look calm, and I assumed everyone else really was calm. Then a senior colleague said she took her own temperature every hour on some shifts, and I almost laughed with relief.
Interviewer: Relief?
P2: Because I did that too. I thought it was a private madness of mine.
Interviewer: Did you say that in the group?
P2: Not that evening. I said it two sessions later, when someone brought a case about a colleague who had fallen ill.
Interviewer: Has the group made any difference to how you feel about patients?
P2: In the spring I was frightened of every new admission. I would stand outside the room a few seconds longer than I needed, fiddling with my mask, putting it off. That fear is smaller now. It is still there, but it no longer decides things for me.
Interviewer: What do you think made it smaller?
P2: Saying it out loud, I think. Once you have described your fear to eight people and nobody tells you that you are weak, it loses some of its grip.
Interviewer: How safe did you feel to say those things?
P2: Not at all in the first session. I worried someone would repeat it on the unit. Later I trusted the group more than I trust most rooms at work.
Interviewer: Was there anything about the online format that stood out?
P2: Mostly it just worked. After a while I forgot about the screen.
Interviewer: Did the group change anything in how you work with colleagues?
P2: I snap less at the end of a shift. I think I understand now that the people I snapped at were as worn down as I was.
Interviewer: Anything you would change?
P2: Perhaps a short warm-up before the first real case, so that newcomers know what they are walking into.
Interviewer: Is there anything else you want to add?
P2: That being listened to without anyone trying to fix me was rare. I did not know how much I needed it.`,
    codings: [
      { code: 'firstUnease', text: 'The first evening I nearly left after twenty minutes.' },
      { code: 'firstUnease', by: 'A', text: 'I just did not understand the rules yet.' },
      { code: 'notAlone', text: 'That I was not the only one who was scared.' },
      { code: 'notAlone', quote: true, text: 'Because I did that too. I thought it was a private madness of mine.' },
      { code: 'fear', quote: true, text: 'That fear is smaller now. It is still there, but it no longer decides things for me.' },
      { code: 'fear', by: 'B', text: 'In the spring I was frightened of every new admission.' },
      { code: 'heard', text: 'Once you have described your fear to eight people and nobody tells you that you are weak, it loses some of its grip.' },
      { code: 'firstUnease', text: 'Not at all in the first session. I worried someone would repeat it on the unit.' },
      { code: 'safeToShare', text: 'Later I trusted the group more than I trust most rooms at work.' },
      { code: 'heard', text: 'That being listened to without anyone trying to fix me was rare.' },
    ],
  },
  {
    participant: 'P3',
    text: `Interviewer: Thanks for joining me. Looking back, how was the online group for you?
P3: Useful, though not always comfortable. I said some things in there that I am not proud of.
Interviewer: Would you tell me about that?
P3: In the emergency department last year I was angry a lot of the time. Angry at the people who came in after weeks of ignoring every warning — the parties, no masks. I felt they had made their choice and now we were paying for it.
Interviewer: And in the group?
P3: I presented a man like that. Loud, rude to the nurses, still saying the virus was exaggerated while he could barely breathe. I expected the group to agree with me.
Interviewer: Did they?
P3: Some did. Then someone wondered aloud whether he shouted because he was terrified, and whether being wrong about the virus was easier for him than being afraid of it. That stopped me.
Interviewer: How did you feel in that moment?
P3: Caught out, a little. Then curious. Nobody was telling me I was wrong to be angry.
Interviewer: What changed for you?
P3: I can't say I like him now. But the anger does not flood me the way it did. When the next one like him came in, I could hear the fear under the noise.
Interviewer: How safe did you feel, saying that you were angry with patients?
P3: Safer than I expected, because the leaders did not let anyone pile on me. When one member started lecturing me about professionalism, the leader turned it back to the case without making me feel told off either.
Interviewer: What did you find interesting or surprising?
P3: How many of us were carrying the same anger and keeping quiet about it. I thought I was the hard one, the bitter one. It turns out half the group had the same thoughts.
Interviewer: Has it changed how you see your relationships with patients?
P3: I ask myself more often what the patient is afraid of. It is a simple question, but I had stopped asking it.
Interviewer: Can you give an example from your work since then?
P3: Last week a woman came in furious that her son could not stay with her. Before, I would have argued with her about the rules. This time I asked what she was worried would happen, and she cried instead of shouting.
Interviewer: How did you find the length and timing of the sessions?
P3: Evenings suited me. Twice a week was a lot at first, but by the end I would have kept it.
Interviewer: Did being online make a difference?
P3: Not much for me. I had my camera on and mostly forgot about the screen.
Interviewer: Anything else you would like to add?
P3: Only that I hope they run it again for the new staff. They arrived in the middle of all this with no one to talk to.`,
    codings: [
      { code: 'anger', by: 'A', text: 'In the emergency department last year I was angry a lot of the time.' },
      { code: 'patientsSide', by: 'A', text: 'Then someone wondered aloud whether he shouted because he was terrified, and whether being wrong about the virus was easier for him than being afraid of it.' },
      { code: 'peerSupervision', by: 'B', text: 'Then someone wondered aloud whether he shouted because he was terrified, and whether being wrong about the virus was easier for him than being afraid of it.' },
      { code: 'anger', quote: true, text: "I can't say I like him now. But the anger does not flood me the way it did." },
      { code: 'patientsSide', text: 'When the next one like him came in, I could hear the fear under the noise.' },
      { code: 'activeLeaders', text: 'Safer than I expected, because the leaders did not let anyone pile on me. When one member started lecturing me about professionalism, the leader turned it back to the case without making me feel told off either.' },
      { code: 'safeToShare', by: 'B', text: 'Safer than I expected, because the leaders did not let anyone pile on me.' },
      { code: 'notAlone', text: 'How many of us were carrying the same anger and keeping quiet about it. I thought I was the hard one, the bitter one. It turns out half the group had the same thoughts.' },
      { code: 'patientsSide', text: 'I ask myself more often what the patient is afraid of.' },
      { code: 'patientsSide', text: 'This time I asked what she was worried would happen, and she cried instead of shouting.' },
    ],
  },
  {
    participant: 'P4',
    text: `Interviewer: Thank you for doing this. How was taking part in the online group for you?
P4: I was the youngest there and the only student, so at first I mostly listened.
Interviewer: What was that like?
P4: Intimidating, in the first session. There were consultants and senior nurses, and I assumed a student's case would not count for much. I kept my microphone muted the whole evening.
Interviewer: Did that change?
P4: Yes. In the third session I presented a patient, an older woman who kept asking me whether she would see her grandchildren again. Nobody treated it as a small case. A senior doctor said she had been asked the same question that week and had not known what to say either.
Interviewer: What made you decide to present a case?
P4: One of the leaders asked at the end of the second session whether anyone who had not yet spoken wanted to bring something next time. It was said kindly, and it felt like an invitation rather than a test.
Interviewer: How did that feel?
P4: Like I was allowed to be there. Nobody pulled rank. I could say I was out of my depth, and that was taken as information, not as failure.
Interviewer: Has the group made a difference to difficult feelings about patients?
P4: I used to get irritated with patients who would not keep their masks on or kept asking to go home. I don't get as cross now. I think about how frightening it must be to be shut in a room where everyone who comes in wears a gown and a visor.
Interviewer: Did anything change in how you work on the ward?
P4: I stay in the room a little longer now. Even a minute of sitting down, rather than standing at the door, seems to change the conversation.
Interviewer: Did being online help you in any way?
P4: It made it easier to come at all. I was on placement in a different hospital every few weeks, and the group came with me.
Interviewer: What did you find hard about the online format?
P4: You can't see people properly. In a room you notice when someone shifts in their chair or looks away. On a screen you get a face in a box, sometimes frozen, and you miss all of that.
Interviewer: Can you give an example?
P4: One evening a nurse went very quiet after a case about a death on her ward. In a room somebody would have seen it and turned to her. Online, nobody noticed until the end, and then the session was over.
Interviewer: How safe did you feel to say what you were thinking?
P4: After the first session, safe. The rule that nothing leaves the group was said out loud every time, and I believed it.
Interviewer: How did you feel at the end of the eight sessions?
P4: Sorry it was over. I had got used to having somewhere to take the things I could not say on the ward.
Interviewer: Anything else you want to add?
P4: It made me want to be the kind of doctor who asks the student how they are.`,
    codings: [
      { code: 'firstUnease', quote: true, text: "Intimidating, in the first session. There were consultants and senior nurses, and I assumed a student's case would not count for much. I kept my microphone muted the whole evening." },
      { code: 'notAlone', by: 'A', text: 'A senior doctor said she had been asked the same question that week and had not known what to say either.' },
      { code: 'activeLeaders', text: 'One of the leaders asked at the end of the second session whether anyone who had not yet spoken wanted to bring something next time.' },
      { code: 'safeToShare', text: 'Like I was allowed to be there. Nobody pulled rank. I could say I was out of my depth, and that was taken as information, not as failure.' },
      { code: 'anger', text: "I used to get irritated with patients who would not keep their masks on or kept asking to go home. I don't get as cross now." },
      { code: 'patientsSide', text: 'I think about how frightening it must be to be shut in a room where everyone who comes in wears a gown and a visor.' },
      { code: 'fromAnywhere', text: 'I was on placement in a different hospital every few weeks, and the group came with me.' },
      { code: 'bodyLanguage', text: 'You can\'t see people properly. In a room you notice when someone shifts in their chair or looks away. On a screen you get a face in a box, sometimes frozen, and you miss all of that.' },
      { code: 'bodyLanguage', quote: true, text: 'One evening a nurse went very quiet after a case about a death on her ward. In a room somebody would have seen it and turned to her. Online, nobody noticed until the end, and then the session was over.' },
      { code: 'safeToShare', text: 'After the first session, safe. The rule that nothing leaves the group was said out loud every time, and I believed it.' },
    ],
  },
  {
    participant: 'P5',
    text: `Interviewer: Thank you for your time. How was taking part in the online group, looking back?
P5: It came at the right moment. I was close to the end of my rope in February, and the group gave me somewhere to put things down.
Interviewer: Somewhere to put things down?
P5: At home I protect my family from the details. At work everyone is as tired as I am. In the group there was time set aside just for this, and people who wanted to hear it.
Interviewer: What was the first session like?
P5: Awkward. I talked too much in the first session, I think, to cover how nervous I was. Afterwards I lay awake wondering what they thought of me.
Interviewer: What did you find interesting or surprising?
P5: How much I learned from cases that were not mine. Listening to a nurse talk about a patient who refused ventilation, I understood something about my own patients that no lecture had given me.
Interviewer: Did the group change how you feel about patients?
P5: I was afraid of them, to be frank. Not of the people, of what they carried. Every cough in the waiting area made my stomach drop. That has eased. I can sit by a bed again without counting the minutes.
Interviewer: What do you think helped with that?
P5: Talking about one particular patient for a whole session. By the end he was a person again, not a source of infection.
Interviewer: How safe did you feel to say what you were thinking and feeling?
P5: With most of the group, very safe. But some people never switched their cameras on, and I found that hard.
Interviewer: What was hard about it?
P5: You are telling something painful to a row of black squares with names on them. I never knew whether those people were listening, or cooking, or had someone else in the room. A couple of times I held back because of that.
Interviewer: Did you raise it in the group?
P5: Once. The leader said cameras were each person's choice, which I understand. I still think I would have said more if I could have seen everyone.
Interviewer: Was there anything else that helped?
P5: Hearing that a senior colleague lies awake the same way I do. You think you are the weak link, and then you find out the whole chain is under strain.
Interviewer: How were the leaders for you?
P5: Steady. They let silences happen, but they did not leave anyone stranded in one.
Interviewer: Would you take part again?
P5: Yes, and I would keep my own camera on every time, now that I know how it feels from the other side.
Interviewer: Anything you would like to add?
P5: Just that being listened to, really listened to, did more for my sleep than anything else I tried that winter.`,
    codings: [
      { code: 'heard', text: 'In the group there was time set aside just for this, and people who wanted to hear it.' },
      { code: 'firstUnease', text: 'I talked too much in the first session, I think, to cover how nervous I was. Afterwards I lay awake wondering what they thought of me.' },
      { code: 'peerSupervision', quote: true, text: 'How much I learned from cases that were not mine. Listening to a nurse talk about a patient who refused ventilation, I understood something about my own patients that no lecture had given me.' },
      { code: 'fear', by: 'A', text: 'I was afraid of them, to be frank. Not of the people, of what they carried. Every cough in the waiting area made my stomach drop. That has eased. I can sit by a bed again without counting the minutes.' },
      { code: 'fear', by: 'B', text: 'That has eased. I can sit by a bed again without counting the minutes.' },
      { code: 'patientsSide', by: 'A', text: 'By the end he was a person again, not a source of infection.' },
      { code: 'fear', by: 'B', text: 'By the end he was a person again, not a source of infection.' },
      { code: 'camerasOff', text: 'But some people never switched their cameras on, and I found that hard.' },
      { code: 'camerasOff', quote: true, text: 'You are telling something painful to a row of black squares with names on them. I never knew whether those people were listening, or cooking, or had someone else in the room. A couple of times I held back because of that.' },
      { code: 'camerasOff', by: 'A', text: 'I still think I would have said more if I could have seen everyone.' },
      { code: 'bodyLanguage', by: 'B', text: 'I still think I would have said more if I could have seen everyone.' },
      { code: 'notAlone', text: 'Hearing that a senior colleague lies awake the same way I do. You think you are the weak link, and then you find out the whole chain is under strain.' },
      { code: 'activeLeaders', text: 'Steady. They let silences happen, but they did not leave anyone stranded in one.' },
      { code: 'camerasOff', by: 'B', text: 'I would keep my own camera on every time, now that I know how it feels from the other side.' },
      { code: 'heard', quote: true, text: 'Just that being listened to, really listened to, did more for my sleep than anything else I tried that winter.' },
    ],
    memberChecks: [{ code: 'camerasOff', decision: 'comment', comment: 'I would add that I understood why some people kept their cameras off; it was not a complaint about them.' }],
  },
  {
    participant: 'P6',
    text: `Interviewer: Thank you for agreeing to talk. How was the online group for you, looking back?
P6: Mixed, if I am honest. I think the idea is good. I am not sure I got as much out of it as the others did.
Interviewer: What got in the way?
P6: My internet, for a start. I live out of town and the connection drops whenever the wind blows. I missed the end of two cases completely, and once I rejoined to find the group had moved on to something else.
Interviewer: How was that for you?
P6: Frustrating. You are trying to be present for someone's story and you are staring at a spinning circle. Then you feel you have to apologise when you come back.
Interviewer: Was anything else difficult?
P6: Not being able to read people. I have been a nurse a long time, and most of what I know about someone I know from how they sit and what their hands do. On a small screen I had none of that.
Interviewer: How safe did you feel to say what you were thinking and feeling?
P6: In the first meeting, not safe at all. I did not know who these people were or who they might know at my hospital. I was careful about what I said about my manager.
Interviewer: Did that change?
P6: Somewhat. But several people kept their cameras off all the way through, and I never quite relaxed with that. It felt like being watched by people who would not show themselves.
Interviewer: What would have helped you feel safer at the start?
P6: Knowing a bit more beforehand: who would be there, what happens to what we say. I only understood the ground rules properly in the second session.
Interviewer: Was there anything that did help?
P6: The sessions where my connection held, yes. In one of them we talked about a patient who died alone, and several people said they still thought about theirs. That stayed with me.
Interviewer: How were the leaders for you?
P6: Fair. They tried to bring me back in when I rejoined, and they summarised what I had missed, which was kind.
Interviewer: Has it changed how you see your relationships with patients?
P6: I am not sure it has. Perhaps I am a little more patient with the anxious ones. I would need more time to say.
Interviewer: Is there anything you would change?
P6: A phone line as a backup, so that when the video fails you can still hear. And perhaps a rule that cameras are on unless there is a reason.
Interviewer: Would you take part again?
P6: Perhaps in a room. Online, only if my connection were better.
Interviewer: Anything else you want to add?
P6: No. I am glad I tried it, even with the problems.`,
    codings: [
      { code: 'connection', quote: true, text: 'I live out of town and the connection drops whenever the wind blows. I missed the end of two cases completely, and once I rejoined to find the group had moved on to something else.' },
      { code: 'connection', text: "You are trying to be present for someone's story and you are staring at a spinning circle. Then you feel you have to apologise when you come back." },
      { code: 'bodyLanguage', text: 'Not being able to read people. I have been a nurse a long time, and most of what I know about someone I know from how they sit and what their hands do. On a small screen I had none of that.' },
      { code: 'firstUnease', text: 'In the first meeting, not safe at all. I did not know who these people were or who they might know at my hospital. I was careful about what I said about my manager.' },
      { code: 'camerasOff', text: 'But several people kept their cameras off all the way through, and I never quite relaxed with that. It felt like being watched by people who would not show themselves.' },
      { code: 'firstUnease', text: 'I only understood the ground rules properly in the second session.' },
      { code: 'activeLeaders', text: 'They tried to bring me back in when I rejoined, and they summarised what I had missed, which was kind.' },
      { code: 'notAlone', by: 'A', text: 'In one of them we talked about a patient who died alone, and several people said they still thought about theirs.' },
      { code: 'patientsSide', by: 'B', text: 'Perhaps I am a little more patient with the anxious ones.' },
      { code: 'connection', text: 'A phone line as a backup, so that when the video fails you can still hear.' },
      { code: 'camerasOff', text: 'And perhaps a rule that cameras are on unless there is a reason.' },
      { code: 'connection', by: 'A', text: 'Online, only if my connection were better.' },
    ],
  },
  {
    participant: 'P7',
    text: `Interviewer: Thanks for talking with me. How was the online group for you?
P7: A relief to have it. I won't pretend it fixed everything, but it was an hour where I did not have to be strong.
Interviewer: What do you mean by not having to be strong?
P7: At work I am the one the younger nurses look to. I can't show them I am frightened. In the group I could say that I was, and nobody needed me to be the steady one.
Interviewer: What were you frightened of?
P7: Bringing it home. My mother lives with us. For months I undressed in the garage and scrubbed before I touched anyone, and every patient felt like a threat to her. I still take care, but I stopped seeing every patient as the person who might kill my mother.
Interviewer: That is a big change.
P7: It is. I think it came from hearing other people name the same fear. It got smaller when it was shared.
Interviewer: Did your mother notice a difference?
P7: She said I talked more at dinner. I had not realised how quiet I had become.
Interviewer: Did the group make a difference to other feelings about patients?
P7: There was resentment too, toward families who argued with us about visiting and shouted at the desk. I brought one of those families to the group. By the end I could see how helpless they felt, standing outside while someone they loved was inside without them. I was less bitter afterwards.
Interviewer: What made it possible to see the families differently?
P7: Someone in the group had been on the other side of that door, when her father was in hospital. She described the waiting, and I could not unhear it.
Interviewer: How did the leaders manage the group?
P7: They were more present than I expected. When one of us started to cry, the leader slowed everything down and let it be, without rushing on to the next case.
Interviewer: Was the first session different from the others?
P7: Quieter. Nobody wanted to go first, and I spent most of it wondering whether I had made a mistake signing up.
Interviewer: Was there anything about the online format that stood out?
P7: The sound. The network at my hospital is poor, so I joined from my car in the car park, and the call dropped more than once.
Interviewer: Did that get in the way?
P7: A little. Once I came back and the case had moved on, and I did not like to ask what I had missed.
Interviewer: How safe did you feel to say what you were thinking?
P7: Safe. What was said stayed in the group, and that was clear from the start.
Interviewer: Anything else you would like to add?
P7: I would like a follow-up group in a few months. The pressure has not gone away.`,
    codings: [
      { code: 'heard', by: 'A', text: "I won't pretend it fixed everything, but it was an hour where I did not have to be strong." },
      { code: 'heard', text: 'In the group I could say that I was, and nobody needed me to be the steady one.' },
      { code: 'fear', by: 'A', text: 'For months I undressed in the garage and scrubbed before I touched anyone, and every patient felt like a threat to her. I still take care, but I stopped seeing every patient as the person who might kill my mother.' },
      { code: 'fear', by: 'B', text: 'I still take care, but I stopped seeing every patient as the person who might kill my mother.' },
      { code: 'notAlone', text: 'I think it came from hearing other people name the same fear. It got smaller when it was shared.' },
      { code: 'anger', text: 'There was resentment too, toward families who argued with us about visiting and shouted at the desk. I brought one of those families to the group. By the end I could see how helpless they felt, standing outside while someone they loved was inside without them. I was less bitter afterwards.' },
      { code: 'patientsSide', text: 'By the end I could see how helpless they felt, standing outside while someone they loved was inside without them.' },
      { code: 'patientsSide', text: 'She described the waiting, and I could not unhear it.' },
      { code: 'activeLeaders', quote: true, text: 'They were more present than I expected. When one of us started to cry, the leader slowed everything down and let it be, without rushing on to the next case.' },
      { code: 'firstUnease', text: 'Nobody wanted to go first, and I spent most of it wondering whether I had made a mistake signing up.' },
      { code: 'connection', text: 'The network at my hospital is poor, so I joined from my car in the car park, and the call dropped more than once.' },
      { code: 'fromAnywhere', by: 'B', text: 'The network at my hospital is poor, so I joined from my car in the car park, and the call dropped more than once.' },
      { code: 'connection', text: 'Once I came back and the case had moved on, and I did not like to ask what I had missed.' },
      { code: 'safeToShare', text: 'Safe. What was said stayed in the group, and that was clear from the start.' },
    ],
  },
  {
    participant: 'P8',
    text: `Interviewer: Thank you for making the time. How was the online group for you, looking back?
P8: Good. I came in less worn out than some of the others, I think, but I still took a lot from it.
Interviewer: Why do you think you were less worn out?
P8: My ward had a quieter winter than most, and I have a partner who listens. I was lucky, and I knew it.
Interviewer: What did you take from it?
P8: Mostly a different way of looking at cases. We would spend forty minutes on one patient, and by the end I had five ideas about him instead of one. That is something you can take back to the ward.
Interviewer: Can you give an example?
P8: A man on our ward kept pulling off his oxygen mask, and I had him down as difficult. The group wondered whether the mask made him feel he was drowning. On my next shift I sat with him and asked, and that was exactly it.
Interviewer: How did that feel?
P8: Humbling. I had been sure I understood him. Half an hour with colleagues showed me I had barely started.
Interviewer: What did you find interesting or surprising?
P8: That people from other cities were in the same group. One member joined from a town four hours away. We would never have met otherwise.
Interviewer: And the leaders?
P8: They kept us on the patient. When we drifted into complaining about rotas, one of them asked, gently, what the patient would have made of our conversation.
Interviewer: Did the online format cause any problems?
P8: My connection at home is weak. A couple of times I froze in the middle of speaking and had to repeat myself, which is awkward when you are saying something personal.
Interviewer: Did the screen change how you read the others?
P8: Sometimes. With cameras off you lose the face, and then you are only listening to a voice, which is not the same.
Interviewer: How safe did you feel to say what you were thinking and feeling?
P8: Safe, once I knew the others a little. After the second session it felt like a team.
Interviewer: Was the first session different?
P8: A bit stiff. Everyone was polite and careful. It loosened up once the first case was on the table.
Interviewer: Has it changed how you feel about your work or yourself?
P8: It reminded me that the others on my ward are probably carrying things they don't mention. I have started asking at handover how people are, not only how the patients are.
Interviewer: Anything else you want to add?
P8: Only that I would recommend it to colleagues, especially the ones who say they are fine.`,
    codings: [
      { code: 'peerSupervision', text: 'We would spend forty minutes on one patient, and by the end I had five ideas about him instead of one. That is something you can take back to the ward.' },
      { code: 'patientsSide', quote: true, text: 'The group wondered whether the mask made him feel he was drowning. On my next shift I sat with him and asked, and that was exactly it.' },
      { code: 'peerSupervision', text: 'Half an hour with colleagues showed me I had barely started.' },
      { code: 'fromAnywhere', text: 'That people from other cities were in the same group. One member joined from a town four hours away. We would never have met otherwise.' },
      { code: 'activeLeaders', text: 'When we drifted into complaining about rotas, one of them asked, gently, what the patient would have made of our conversation.' },
      { code: 'connection', text: 'A couple of times I froze in the middle of speaking and had to repeat myself, which is awkward when you are saying something personal.' },
      { code: 'camerasOff', by: 'A', text: 'With cameras off you lose the face, and then you are only listening to a voice, which is not the same.' },
      { code: 'bodyLanguage', by: 'B', text: 'With cameras off you lose the face, and then you are only listening to a voice, which is not the same.' },
      { code: 'safeToShare', by: 'A', text: 'Safe, once I knew the others a little.' },
      { code: 'safeToShare', by: 'B', text: 'Safe, once I knew the others a little. After the second session it felt like a team.' },
      { code: 'firstUnease', text: 'A bit stiff. Everyone was polite and careful. It loosened up once the first case was on the table.' },
      { code: 'notAlone', by: 'A', text: "It reminded me that the others on my ward are probably carrying things they don't mention." },
      { code: 'patientsSide', by: 'B', text: "It reminded me that the others on my ward are probably carrying things they don't mention." },
    ],
  },
]

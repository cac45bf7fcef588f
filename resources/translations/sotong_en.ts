<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en_US">
    <context>
        <name>BubbleDelegate</name>
        <message>
            <source>Private note</source>
            <extracomment>"message", "note" or "outbox". "in" or "out". Who wrote it (operator name for notes and replies, channel author otherwise). When, in ms since the epoch (int). Outbox state (queued, sending, failed, unknown) or message delivery status, else "". Outbox error code, else "". The item id (str). The line under a bubble: time, author, outbox state (translated). The body exactly as stored (same as DisplayRole): always plain text. How bodies are drawn: always plain text.</extracomment>
            <translation>Private note</translation>
        </message>
    </context>
    <context>
        <name>ConversationDelegate</name>
        <message>
            <source>Not sent</source>
            <extracomment>Conversation id (str). Channel kind (str). Contact display name (str). Last message, one line (str). Department code, or "" when untriaged. Department chip text ("성형외과", or "미분류" when untriaged). Department colour (hex), or "" when untriaged. Time text at the right of the row: waiting time, or when the last message came. Minutes the customer has waited, or -1 if the clinic answered last. Unread inbound messages (bool). The operator has a draft here (bool). Replies queued or sending (int). Replies failed or with an unknown outcome (int). Conversation status (str). Assignee operator id, or "". False while the row is a placeholder (not read yet, or gone). The whole :class:`ConversationRow`, or None.</extracomment>
            <translation>Not sent</translation>
        </message>
        <message numerus="yes">
            <source>%n to send</source>
            <translation>
                <numerusform>%n to send</numerusform>
                <numerusform>%n to send</numerusform>
            </translation>
        </message>
        <message>
            <source>Draft</source>
            <translation>Draft</translation>
        </message>
    </context>
    <context>
        <name>MainWindow</name>
        <message>
            <source>Sotong</source>
            <translation>Sotong</translation>
        </message>
        <message>
            <source>Settings</source>
            <translation>Settings</translation>
        </message>
        <message>
            <source>Language, who uses this PC (Ctrl+,)</source>
            <translation>Language, who uses this PC (Ctrl+,)</translation>
        </message>
        <message>
            <source>Signed in as %1</source>
            <translation>Signed in as %1</translation>
        </message>
        <message>
            <source>No member of staff chosen</source>
            <translation>No member of staff chosen</translation>
        </message>
        <message>
            <source>Search names and messages  ( / )</source>
            <translation>Search names and messages  ( / )</translation>
        </message>
        <message>
            <source>Latest activity</source>
            <translation>Latest activity</translation>
        </message>
        <message>
            <source>Longest waiting</source>
            <translation>Longest waiting</translation>
        </message>
        <message>
            <source>No conversations here.</source>
            <translation>No conversations here.</translation>
        </message>
        <message>
            <source>Department</source>
            <translation>Department</translation>
        </message>
        <message>
            <source>%1 (me)</source>
            <translation>%1 (me)</translation>
        </message>
        <message>
            <source>Unassign</source>
            <translation>Unassign</translation>
        </message>
        <message>
            <source>No channels connected</source>
            <translation>No channels connected</translation>
        </message>
        <message>
            <source>Connecting…</source>
            <translation>Connecting…</translation>
        </message>
        <message>
            <source>● Online</source>
            <translation>● Online</translation>
        </message>
        <message>
            <source>● Offline: replies wait on this PC</source>
            <translation>● Offline: replies wait on this PC</translation>
        </message>
        <message numerus="yes">
            <source>%n replies waiting to send</source>
            <translation>
                <numerusform>%n reply waiting to send</numerusform>
                <numerusform>%n replies waiting to send</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <source>%n not sent</source>
            <translation>
                <numerusform>%n not sent</numerusform>
                <numerusform>%n not sent</numerusform>
            </translation>
        </message>
        <message>
            <source>Last received %1</source>
            <translation>Last received %1</translation>
        </message>
        <message>
            <source>Nothing received yet</source>
            <translation>Nothing received yet</translation>
        </message>
        <message>
            <source>Account problem: %1</source>
            <translation>Account problem: %1</translation>
        </message>
    </context>
    <context>
        <name>MessageBar</name>
        <message>
            <source>Dismiss</source>
            <translation>Dismiss</translation>
        </message>
    </context>
    <context>
        <name>SettingsDialog</name>
        <message>
            <source>Settings</source>
            <extracomment>Language choices: the setting's value and the name shown (languages name themselves).</extracomment>
            <translation>Settings</translation>
        </message>
        <message>
            <source>Follow the system</source>
            <translation>Follow the system</translation>
        </message>
        <message>
            <source> s</source>
            <translation> s</translation>
        </message>
        <message>
            <source>Language</source>
            <translation>Language</translation>
        </message>
        <message>
            <source>Who uses this PC</source>
            <translation>Who uses this PC</translation>
        </message>
        <message>
            <source>Check channels every</source>
            <translation>Check channels every</translation>
        </message>
    </context>
    <context>
        <name>Texts</name>
        <message>
            <source>All open</source>
            <translation>All open</translation>
        </message>
        <message>
            <source>Mine</source>
            <translation>Mine</translation>
        </message>
        <message>
            <source>Unassigned</source>
            <translation>Unassigned</translation>
        </message>
        <message>
            <source>Untriaged</source>
            <translation>Untriaged</translation>
        </message>
        <message>
            <source>Snoozed</source>
            <translation>Snoozed</translation>
        </message>
        <message>
            <source>Resolved</source>
            <translation>Resolved</translation>
        </message>
        <message>
            <source>Departments</source>
            <translation>Departments</translation>
        </message>
        <message>
            <source>Channels</source>
            <translation>Channels</translation>
        </message>
        <message>
            <source>Facebook</source>
            <translation>Facebook</translation>
        </message>
        <message>
            <source>Instagram</source>
            <translation>Instagram</translation>
        </message>
        <message>
            <source>X</source>
            <translation>X</translation>
        </message>
        <message>
            <source>KakaoTalk</source>
            <translation>KakaoTalk</translation>
        </message>
        <message>
            <source>Naver TalkTalk</source>
            <translation>Naver TalkTalk</translation>
        </message>
        <message>
            <source>LINE</source>
            <translation>LINE</translation>
        </message>
        <message>
            <source>Telegram</source>
            <translation>Telegram</translation>
        </message>
        <message>
            <source>E-mail</source>
            <translation>E-mail</translation>
        </message>
        <message>
            <source>Text message</source>
            <translation>Text message</translation>
        </message>
        <message>
            <source>Web form</source>
            <translation>Web form</translation>
        </message>
        <message>
            <source>Demo</source>
            <translation>Demo</translation>
        </message>
        <message>
            <source>Open</source>
            <translation>Open</translation>
        </message>
        <message>
            <source>Waiting on customer</source>
            <translation>Waiting on customer</translation>
        </message>
        <message>
            <source>Waiting to send, will retry ({reason})</source>
            <translation>Waiting to send, will retry ({reason})</translation>
        </message>
        <message>
            <source>Waiting to send</source>
            <translation>Waiting to send</translation>
        </message>
        <message>
            <source>Sending…</source>
            <translation>Sending…</translation>
        </message>
        <message>
            <source>Not sent: {reason}</source>
            <translation>Not sent: {reason}</translation>
        </message>
        <message>
            <source>Sending uncertain: check on the channel before sending again</source>
            <translation>Sending uncertain: check on the channel before sending again</translation>
        </message>
        <message>
            <source>Something unexpected went wrong ({name}). Please try again.</source>
            <translation>Something unexpected went wrong ({name}). Please try again.</translation>
        </message>
        <message>
            <source>The request could not be completed.</source>
            <translation>The request could not be completed.</translation>
        </message>
        <message>
            <source>That item no longer exists. It may have been deleted.</source>
            <translation>That item no longer exists. It may have been deleted.</translation>
        </message>
        <message>
            <source>This conversation could not be found. It may have been deleted or not yet synchronised to this PC.</source>
            <translation>This conversation could not be found. It may have been deleted or not yet synchronised to this PC.</translation>
        </message>
        <message>
            <source>That member of staff could not be found.</source>
            <translation>That member of staff could not be found.</translation>
        </message>
        <message>
            <source>The value entered is not valid.</source>
            <translation>The value entered is not valid.</translation>
        </message>
        <message>
            <source>There is no department called “{department}”.</source>
            <translation>There is no department called “{department}”.</translation>
        </message>
        <message>
            <source>Write a reply before sending.</source>
            <translation>Write a reply before sending.</translation>
        </message>
        <message>
            <source>The reply is too long: {length} characters. Shorten it to {max_chars} or fewer.</source>
            <translation>The reply is too long: {length} characters. Shorten it to {max_chars} or fewer.</translation>
        </message>
        <message>
            <source>Write something in the note first.</source>
            <translation>Write something in the note first.</translation>
        </message>
        <message>
            <source>A label must be 1 to {max_chars} characters on one line.</source>
            <translation>A label must be 1 to {max_chars} characters on one line.</translation>
        </message>
        <message>
            <source>That status cannot be set here.</source>
            <translation>That status cannot be set here.</translation>
        </message>
        <message>
            <source>Choose a snooze time in the future.</source>
            <translation>Choose a snooze time in the future.</translation>
        </message>
        <message>
            <source>The draft was changed elsewhere before this save. Check the text and save again.</source>
            <translation>The draft was changed elsewhere before this save. Check the text and save again.</translation>
        </message>
        <message>
            <source>Could not save on this PC. Check the free disk space and permissions. ({reason})</source>
            <translation>Could not save on this PC. Check the free disk space and permissions. ({reason})</translation>
        </message>
        <message>
            <source>login expired, reconnect the account</source>
            <translation>login expired, reconnect the account</translation>
        </message>
        <message>
            <source>too many requests, waiting</source>
            <translation>too many requests, waiting</translation>
        </message>
        <message>
            <source>connection problem</source>
            <translation>connection problem</translation>
        </message>
        <message>
            <source>refused by the channel</source>
            <translation>refused by the channel</translation>
        </message>
        <message>
            <source>channel error</source>
            <translation>channel error</translation>
        </message>
        <message>
            <source>interrupted while sending</source>
            <translation>interrupted while sending</translation>
        </message>
        <message>
            <source>too long for this channel</source>
            <translation>too long for this channel</translation>
        </message>
        <message>
            <source>empty message</source>
            <translation>empty message</translation>
        </message>
        <message>
            <source>the conversation no longer exists on the channel</source>
            <translation>the conversation no longer exists on the channel</translation>
        </message>
        <message>
            <source>the channel's reply window has closed</source>
            <translation>the channel's reply window has closed</translation>
        </message>
        <message>
            <source>just now</source>
            <translation>just now</translation>
        </message>
        <message>
            <source>{n} min</source>
            <translation>{n} min</translation>
        </message>
        <message>
            <source>{n} h</source>
            <translation>{n} h</translation>
        </message>
        <message>
            <source>{n} d</source>
            <translation>{n} d</translation>
        </message>
        <message>
            <source>{month}/{day} {time}</source>
            <translation>{month}/{day} {time}</translation>
        </message>
        <message>
            <source>{month}/{day}</source>
            <translation>{month}/{day}</translation>
        </message>
    </context>
    <context>
        <name>ThreadPane</name>
        <message>
            <source>Choose a conversation from the list.</source>
            <translation>Choose a conversation from the list.</translation>
        </message>
        <message>
            <source>Department</source>
            <translation>Department</translation>
        </message>
        <message>
            <source>Assignee</source>
            <translation>Assignee</translation>
        </message>
        <message>
            <source>Status</source>
            <translation>Status</translation>
        </message>
        <message>
            <source>Snooze</source>
            <translation>Snooze</translation>
        </message>
        <message>
            <source>Hide until a later time; it comes back as open</source>
            <translation>Hide until a later time; it comes back as open</translation>
        </message>
        <message>
            <source>Note</source>
            <translation>Note</translation>
        </message>
        <message>
            <source>Write a private note for colleagues; customers never see it (Ctrl+Shift+Enter)</source>
            <translation>Write a private note for colleagues; customers never see it (Ctrl+Shift+Enter)</translation>
        </message>
        <message>
            <source>Resolve or reopen (E)</source>
            <translation>Resolve or reopen (E)</translation>
        </message>
        <message>
            <source>For 1 hour</source>
            <translation>For 1 hour</translation>
        </message>
        <message>
            <source>For 3 hours</source>
            <translation>For 3 hours</translation>
        </message>
        <message>
            <source>Tomorrow 9:00</source>
            <translation>Tomorrow 9:00</translation>
        </message>
        <message>
            <source>Next Monday 9:00</source>
            <translation>Next Monday 9:00</translation>
        </message>
        <message>
            <source>Private note for colleagues. The customer will not see it.</source>
            <translation>Private note for colleagues. The customer will not see it.</translation>
        </message>
        <message>
            <source>Add note</source>
            <translation>Add note</translation>
        </message>
        <message>
            <source>Add the private note (Ctrl+Enter)</source>
            <translation>Add the private note (Ctrl+Enter)</translation>
        </message>
        <message>
            <source>Write a reply… Ctrl+Enter queues it to send</source>
            <translation>Write a reply… Ctrl+Enter queues it to send</translation>
        </message>
        <message>
            <source>Send</source>
            <translation>Send</translation>
        </message>
        <message>
            <source>Queue the reply; it is sent as soon as the channel is reachable (Ctrl+Enter)</source>
            <translation>Queue the reply; it is sent as soon as the channel is reachable (Ctrl+Enter)</translation>
        </message>
        <message>
            <source>Reopen</source>
            <translation>Reopen</translation>
        </message>
        <message>
            <source>Resolve</source>
            <translation>Resolve</translation>
        </message>
        <message>
            <source>Typing…</source>
            <translation>Typing…</translation>
        </message>
        <message>
            <source>Draft saved on this PC</source>
            <translation>Draft saved on this PC</translation>
        </message>
        <message>
            <source>Draft not saved</source>
            <translation>Draft not saved</translation>
        </message>
    </context>
    <context>
        <name>ThreadView</name>
        <message>
            <source>Copy text</source>
            <translation>Copy text</translation>
        </message>
    </context>
</TS>
